/** Picks the screen for the current path. */
import { AssistantsPage } from '../assistants/assistants-page.tsx';
import { ChatPage } from '../chat/chat-page.tsx';
import { FilesPage } from '../files/files-page.tsx';
import { ApiReferencePage } from '../reference/api-reference-page.tsx';
import { RunPage } from '../runs/run-page.tsx';
import { UsagePage } from '../usage/usage-page.tsx';
import { VectorStoresPage } from '../vector-stores/vector-stores-page.tsx';
import { matchPath } from './router.tsx';

export function Screen({ path }: { path: string }) {
  let params: Record<string, string> | undefined;
  if ((params = matchPath('/threads/:thread_id/runs/:run_id', path)))
    return <RunPage threadId={params['thread_id']!} runId={params['run_id']!} />;
  if ((params = matchPath('/threads/:thread_id', path)))
    return <ChatPage threadId={params['thread_id']!} />;
  if (path === '/') return <ChatPage threadId={undefined} />;
  if ((params = matchPath('/assistants/:assistant_id', path)))
    return <AssistantsPage selectedId={params['assistant_id']!} />;
  if (path === '/assistants') return <AssistantsPage selectedId={undefined} />;
  if ((params = matchPath('/files/:file_id', path)))
    return <FilesPage selectedId={params['file_id']!} />;
  if (path === '/files') return <FilesPage selectedId={undefined} />;
  if ((params = matchPath('/vector-stores/:vector_store_id', path)))
    return <VectorStoresPage selectedId={params['vector_store_id']!} />;
  if (path === '/vector-stores') return <VectorStoresPage selectedId={undefined} />;
  if (path === '/reference') return <ApiReferencePage />;
  if (path === '/usage') return <UsagePage />;
  return (
    <section>
      <h1>Not found</h1>
      <p>No screen lives at {path}.</p>
    </section>
  );
}
