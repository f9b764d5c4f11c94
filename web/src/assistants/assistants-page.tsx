/** Assistants: the list on the left, the selected one (or a new one) in the form on the right. */
import { useApi } from '../api/api-context.tsx';
import type { Assistant, List, Model, ServiceAgent, VectorStore } from '../api/api-objects.ts';
import { useResource } from '../api/use-resource.ts';
import { Link, navigate } from '../app/router.tsx';
import { ErrorBanner } from '../ui/error-banner.tsx';
import { AssistantForm } from './assistant-form.tsx';

export function AssistantsPage({ selectedId }: { selectedId: string | undefined }) {
  const api = useApi();
  const assistants = useResource(() => api.get<List<Assistant>>('/v1/assistants?limit=100'), [api]);
  const models = useResource(() => api.get<List<Model>>('/v1/models'), [api]);
  const vectorStores = useResource(
    () => api.get<List<VectorStore>>('/v1/vector_stores?limit=100'),
    [api],
  );
  // Servers without service agents answer 404 here: the form then takes typed ids only.
  const serviceAgents = useResource(
    () => api.get<List<ServiceAgent>>('/v1/service_agents?limit=100').catch(() => undefined),
    [api],
  );
  const list = assistants.value?.data ?? [];
  const creating = selectedId === 'new';
  const selected = list.find((assistant) => assistant.id === selectedId);

  return (
    <div className="split">
      <section className="sidebar" aria-labelledby="assistants-title">
        <h1 id="assistants-title">Assistants</h1>
        <Link to="/assistants/new" className="button primary">
          New assistant
        </Link>
        <ErrorBanner error={assistants.error} />
        <ul className="item-list">
          {list.map((assistant) => (
            <li key={assistant.id}>
              <Link
                to={`/assistants/${assistant.id}`}
                aria-current={assistant.id === selectedId ? 'true' : undefined}
              >
                <span className="item-title">{assistant.name ?? 'Untitled'}</span>
                <span className="item-meta">{assistant.model}</span>
              </Link>
            </li>
          ))}
        </ul>
        {!assistants.loading && list.length === 0 && <p className="muted">No assistants yet.</p>}
      </section>
      <section className="detail" aria-label="Selected assistant">
        {creating || selected ? (
          <AssistantForm
            key={selected?.id ?? 'new'}
            assistant={selected}
            models={models.value?.data ?? []}
            vectorStores={vectorStores.value?.data ?? []}
            serviceAgents={serviceAgents.value?.data ?? []}
            onSaved={(saved) => {
              assistants.reload();
              if (creating) navigate(`/assistants/${saved.id}`, { replace: true });
            }}
            onDeleted={() => {
              assistants.reload();
              navigate('/assistants', { replace: true });
            }}
          />
        ) : selectedId && !assistants.loading ? (
          <p className="muted">No assistant {selectedId} in this project.</p>
        ) : (
          <div className="empty-state">
            <h2>Build an assistant</h2>
            <p>
              Pick one on the left, or create a new one with a model, instructions and tools. Then
              try it in Chat.
            </p>
          </div>
        )}
      </section>
    </div>
  );
}
