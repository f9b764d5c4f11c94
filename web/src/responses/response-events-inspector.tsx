/** The inspector of a response: its id and status, and every stream event as it arrived. */
import type { LiveResponse } from './live-response.ts';
import { JsonView } from '../ui/json-view.tsx';
import { StatusBadge } from '../ui/status-badge.tsx';

export function ResponseEventsInspector({ live }: { live: LiveResponse }) {
  const { response, events } = live;
  return (
    <details className="response-inspector">
      <summary>
        Response {response ? <code>{response.id}</code> : '…'}{' '}
        {response && <StatusBadge status={response.status ?? 'in_progress'} />} · {events.length}{' '}
        events
      </summary>
      <ol className="response-events" aria-label="Response events">
        {events.map((event, index) => (
          <li key={index}>
            <details>
              <summary>
                <code>{event.event}</code>{' '}
                <span className="muted">
                  #{(event.data as { sequence_number?: number }).sequence_number}
                </span>
              </summary>
              <JsonView value={event.data} label={`Event ${index}`} />
            </details>
          </li>
        ))}
      </ol>
    </details>
  );
}
