/** One run step: its type, status, timings and usage, then the message it created or its tool calls. */
import type { RunStep } from '../api/api-objects.ts';
import { formatDuration, formatTime } from '../ui/format.ts';
import { StatusBadge } from '../ui/status-badge.tsx';
import { UsageView } from '../ui/usage-view.tsx';
import { ToolCallView } from './tool-call-view.tsx';

export function StepView({ step, index }: { step: RunStep; index: number }) {
  const ended = step.completed_at ?? step.failed_at ?? step.cancelled_at ?? step.expired_at;
  return (
    <li className="step card" aria-labelledby={`step-${step.id}`}>
      <h2 id={`step-${step.id}`} className="step-title">
        Step {index + 1}: {step.type === 'tool_calls' ? 'tool calls' : 'message'}{' '}
        <StatusBadge status={step.status} />
      </h2>
      <dl className="facts">
        <div>
          <dt>Id</dt>
          <dd>
            <code>{step.id}</code>
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatTime(step.created_at)}</dd>
        </div>
        <div>
          <dt>Took</dt>
          <dd>{formatDuration(step.created_at, ended)}</dd>
        </div>
        <div>
          <dt>Usage</dt>
          <dd>
            <UsageView usage={step.usage} />
          </dd>
        </div>
      </dl>
      {step.last_error && (
        <p className="error">
          {step.last_error.code}: {step.last_error.message}
        </p>
      )}
      {step.step_details.type === 'message_creation' ? (
        <p>
          Wrote message <code>{step.step_details.message_creation.message_id}</code>.
        </p>
      ) : (
        step.step_details.tool_calls.map((call) => <ToolCallView key={call.id} call={call} />)
      )}
    </li>
  );
}
