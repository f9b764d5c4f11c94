/** Vector stores: create one from files, list them, and manage the selected one. */
import { useApi } from '../api/api-context.tsx';
import type { FileObject, List, VectorStore } from '../api/api-objects.ts';
import { useResource } from '../api/use-resource.ts';
import { Link, navigate } from '../app/router.tsx';
import { ErrorBanner } from '../ui/error-banner.tsx';
import { CreateVectorStoreForm } from './create-vector-store-form.tsx';
import { VectorStoreDetail } from './vector-store-detail.tsx';

export function VectorStoresPage({ selectedId }: { selectedId: string | undefined }) {
  const api = useApi();
  const stores = useResource(
    () => api.get<List<VectorStore>>('/v1/vector_stores?limit=100'),
    [api],
  );
  const files = useResource(() => api.get<List<FileObject>>('/v1/files?limit=100'), [api]);
  const list = stores.value?.data ?? [];
  const selected = list.find((store) => store.id === selectedId);
  return (
    <div className="split">
      <section className="sidebar" aria-labelledby="vector-stores-title">
        <h1 id="vector-stores-title">Vector stores</h1>
        <ErrorBanner error={stores.error} />
        <ul className="item-list">
          {list.map((store) => (
            <li key={store.id}>
              <Link
                to={`/vector-stores/${store.id}`}
                aria-current={store.id === selectedId ? 'true' : undefined}
              >
                <span className="item-title">{store.name ?? 'Unnamed'}</span>
                <span className="item-meta">
                  {store.file_counts.total} files · {store.status.replaceAll('_', ' ')}
                </span>
              </Link>
            </li>
          ))}
        </ul>
        {!stores.loading && list.length === 0 && <p className="muted">No vector stores yet.</p>}
      </section>
      <section className="detail" aria-label="Selected vector store">
        {selected ? (
          <VectorStoreDetail
            key={selected.id}
            store={selected}
            files={files.value?.data ?? []}
            onChanged={stores.reload}
            onDeleted={() => navigate('/vector-stores', { replace: true })}
          />
        ) : (
          <>
            <h2>New vector store</h2>
            <CreateVectorStoreForm
              files={files.value?.data ?? []}
              onCreated={(store) => {
                stores.reload();
                navigate(`/vector-stores/${store.id}`);
              }}
            />
          </>
        )}
      </section>
    </div>
  );
}
