/** The chat's side panel: start a new chat, reopen a recent thread, and open any run of this thread. */
import type { Run } from '../api/api-objects.ts';
import { Link } from '../app/router.tsx';
import { StatusBadge } from '../ui/status-badge.tsx';
import { recentThreads } from './recent-threads.ts';

export function ThreadSidebar({ threadId, runs }: { threadId: string | undefined; runs: Run[] }) {
  const recent = recentThreads();
  return (
    <section className="sidebar" aria-label="Threads and runs">
      <Link to="/" className="button">
        New chat
      </Link>
      <h2 className="sidebar-title">Recent threads</h2>
      {recent.length === 0 ? (
        <p className="muted">Threads you start appear here.</p>
      ) : (
        <ul className="item-list">
          {recent.map((thread) => (
            <li key={thread.id}>
              <Link
                to={`/threads/${thread.id}`}
                aria-current={thread.id === threadId ? 'page' : undefined}
              >
                <span className="item-title">{thread.title}</span>
                <span className="item-meta">{thread.id}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {threadId && (
        <>
          <h2 className="sidebar-title">Runs of this thread</h2>
          {runs.length === 0 ? (
            <p className="muted">No runs yet.</p>
          ) : (
            <ul className="item-list">
              {runs.map((run) => (
                <li key={run.id}>
                  <Link to={`/threads/${run.thread_id}/runs/${run.id}`}>
                    <code className="item-id">{run.id}</code>
                    <StatusBadge status={run.status} />
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
