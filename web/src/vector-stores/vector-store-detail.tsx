/** One vector store: its files and their indexing status, adding and removing files, search, delete. */
import { useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import type { FileObject, List, VectorStore, VectorStoreFile } from '../api/api-objects.ts';
import { useResource } from '../api/use-resource.ts';
import { FileNameLink } from '../files/file-name-link.tsx';
import { ErrorBanner } from '../ui/error-banner.tsx';
import { formatBytes } from '../ui/format.ts';
import { StatusBadge } from '../ui/status-badge.tsx';
import { VectorStoreSearch } from './vector-store-search.tsx';

export function VectorStoreDetail({
  store,
  files,
  onChanged,
  onDeleted,
}: {
  store: VectorStore;
  files: FileObject[];
  onChanged(): void;
  onDeleted(): void;
}) {
  const api = useApi();
  const base = `/v1/vector_stores/${store.id}`;
  const storeFiles = useResource(
    () => api.get<List<VectorStoreFile>>(`${base}/files?limit=100`),
    [api, base],
  );
  const [fileToAdd, setFileToAdd] = useState('');
  const [error, setError] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const present = new Set((storeFiles.value?.data ?? []).map((file) => file.id));

  const act = async (action: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await action();
      storeFiles.reload();
      onChanged();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  return (
    <section className="card" aria-labelledby="vector-store-title">
      <h2 id="vector-store-title">{store.name ?? store.id}</h2>
      <p className="muted">
        <code>{store.id}</code> · <StatusBadge status={store.status} /> ·{' '}
        {formatBytes(store.usage_bytes)} · {store.file_counts.completed} of{' '}
        {store.file_counts.total} files indexed
      </p>
      <h3>Files</h3>
      <ul className="item-list plain">
        {(storeFiles.value?.data ?? []).map((file) => (
          <li key={file.id} className="row">
            <FileNameLink fileId={file.id} /> <StatusBadge status={file.status} />
            {file.last_error && <span className="error-text">{file.last_error.message}</span>}
            <button
              type="button"
              className="danger-quiet"
              onClick={() => void act(() => api.delete(`${base}/files/${file.id}`))}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <div className="inline-form">
        <label htmlFor="vector-store-add-file">Add a file</label>
        <select
          id="vector-store-add-file"
          value={fileToAdd}
          onChange={(event) => setFileToAdd(event.target.value)}
        >
          <option value="">Choose a file</option>
          {files
            .filter((file) => !present.has(file.id))
            .map((file) => (
              <option key={file.id} value={file.id}>
                {file.filename}
              </option>
            ))}
        </select>
        <button
          type="button"
          disabled={!fileToAdd}
          onClick={() => void act(() => api.post(`${base}/files`, { file_id: fileToAdd }))}
        >
          Add
        </button>
        <button
          type="button"
          onClick={() => {
            storeFiles.reload();
            onChanged();
          }}
        >
          Refresh
        </button>
      </div>
      <ErrorBanner error={error} />
      <VectorStoreSearch vectorStoreId={store.id} />
      <div className="form-actions">
        {confirming ? (
          <span className="confirm">
            <button
              type="button"
              className="danger"
              onClick={() => void act(() => api.delete(base)).then(onDeleted)}
            >
              Yes, delete {store.name ?? store.id}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </span>
        ) : (
          <button type="button" className="danger-quiet" onClick={() => setConfirming(true)}>
            Delete vector store
          </button>
        )}
      </div>
    </section>
  );
}
