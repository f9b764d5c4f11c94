/** A run's header facts: status, model, assistant, timings, usage, and why it stopped if it failed. */
import type { Run } from '../api/api-objects.ts';
import { Link } from '../app/router.tsx';
import { formatDuration, formatTime } from '../ui/format.ts';
import { UsageView } from '../ui/usage-view.tsx';

export function RunSummary({ run }: { run: Run }) {
  const ended = run.completed_at ?? run.failed_at ?? run.cancelled_at;
  return (
    <section className="card" aria-label="Run summary">
      <dl className="facts">
        <div>
          <dt>Model</dt>
          <dd>{run.model}</dd>
        </div>
        <div>
          <dt>Assistant</dt>
          <dd>
            <Link to={`/assistants/${run.assistant_id}`}>{run.assistant_id}</Link>
          </dd>
        </div>
        <div>
          <dt>Thread</dt>
          <dd>
            <Link to={`/threads/${run.thread_id}`}>{run.thread_id}</Link>
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatTime(run.created_at)}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatTime(run.started_at)}</dd>
        </div>
        <div>
          <dt>Ended</dt>
          <dd>{formatTime(ended)}</dd>
        </div>
        <div>
          <dt>Took</dt>
          <dd>{formatDuration(run.created_at, ended)}</dd>
        </div>
        <div>
          <dt>Usage</dt>
          <dd>
            <UsageView usage={run.usage} />
          </dd>
        </div>
        <div>
          <dt>Tools</dt>
          <dd>
            {run.tools.length
              ? run.tools
                  .map((tool) => (tool.type === 'function' ? tool.function.name : tool.type))
                  .join(', ')
              : 'none'}
          </dd>
        </div>
      </dl>
      {run.last_error && (
        <p className="error">
          {run.last_error.code}: {run.last_error.message}
        </p>
      )}
      {run.incomplete_details && (
        <p className="muted">Incomplete: {run.incomplete_details.reason}</p>
      )}
      {run.instructions && (
        <details>
          <summary>Instructions</summary>
          <pre className="instructions">{run.instructions}</pre>
        </details>
      )}
    </section>
  );
}
