/** Token usage of a run or step. */
import type { Usage } from '../api/api-objects.ts';

export function UsageView({ usage }: { usage: Usage | null }) {
  if (!usage) return <span className="muted">no usage yet</span>;
  return (
    <span className="usage">
      {usage.prompt_tokens} prompt + {usage.completion_tokens} completion ={' '}
      <strong>{usage.total_tokens} tokens</strong>
    </span>
  );
}
