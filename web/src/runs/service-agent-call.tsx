/** A service_agent call: every field the agent reported, and a link to its child run when it has one. */
import type { StepToolCall } from '../api/api-objects.ts';
import { ValueTree } from '../actions/value-tree.tsx';
import { Link } from '../app/router.tsx';
import { findChildRun } from './child-run.ts';

type AgentCall = Extract<StepToolCall, { type: 'service_agent' }>;

export function ServiceAgentCall({ call }: { call: AgentCall }) {
  const details = call.service_agent ?? {};
  const child = findChildRun(details);
  return (
    <div className="tool-call-body">
      {child && (
        <p>
          <Link to={`/threads/${child.threadId}/runs/${child.runId}`}>
            Open the child run {child.runId}
          </Link>
        </p>
      )}
      <ValueTree value={details} />
    </div>
  );
}
