/** The tool calls of the run that is streaming, as they arrive (arguments grow delta by delta). */
import type { RunStep } from '../api/api-objects.ts';
import { ToolCallView } from '../runs/tool-call-view.tsx';

export function LiveToolCalls({ steps }: { steps: RunStep[] }) {
  const calls = steps.flatMap((step) =>
    step.step_details.type === 'tool_calls' ? step.step_details.tool_calls : [],
  );
  if (calls.length === 0) return null;
  return (
    <section className="live-tool-calls" aria-labelledby="live-tool-calls-title">
      <h2 id="live-tool-calls-title" className="visually-hidden">
        Tool calls of this run
      </h2>
      {calls.map((call, index) => (
        <ToolCallView key={call.id ?? index} call={call} />
      ))}
    </section>
  );
}
