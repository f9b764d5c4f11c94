/** Files: upload, list, open one (a citation's source lands here), download and delete. */
import { useApi } from '../api/api-context.tsx';
import type { FileObject, List } from '../api/api-objects.ts';
import { useResource } from '../api/use-resource.ts';
import { Link, navigate } from '../app/router.tsx';
import { ErrorBanner } from '../ui/error-banner.tsx';
import { formatBytes } from '../ui/format.ts';
import { FileDetail } from './file-detail.tsx';
import { UploadForm } from './upload-form.tsx';

export function FilesPage({ selectedId }: { selectedId: string | undefined }) {
  const api = useApi();
  const files = useResource(() => api.get<List<FileObject>>('/v1/files?limit=100'), [api]);
  const selected = useResource(
    () =>
      selectedId ? api.get<FileObject>(`/v1/files/${selectedId}`) : Promise.resolve(undefined),
    [api, selectedId],
  );
  const list = files.value?.data ?? [];
  return (
    <div className="split">
      <section className="sidebar" aria-labelledby="files-title">
        <h1 id="files-title">Files</h1>
        <UploadForm
          onUploaded={(file) => {
            files.reload();
            navigate(`/files/${file.id}`);
          }}
        />
        <ErrorBanner error={files.error} />
        <ul className="item-list">
          {list.map((file) => (
            <li key={file.id}>
              <Link
                to={`/files/${file.id}`}
                aria-current={file.id === selectedId ? 'true' : undefined}
              >
                <span className="item-title">{file.filename}</span>
                <span className="item-meta">
                  {file.purpose} · {formatBytes(file.bytes)}
                </span>
              </Link>
            </li>
          ))}
        </ul>
        {!files.loading && list.length === 0 && <p className="muted">No files yet.</p>}
      </section>
      <section className="detail" aria-label="Selected file">
        <ErrorBanner error={selected.error} />
        {selected.value ? (
          <FileDetail
            key={selected.value.id}
            file={selected.value}
            onDeleted={() => {
              files.reload();
              navigate('/files', { replace: true });
            }}
          />
        ) : (
          !selectedId && (
            <div className="empty-state">
              <h2>Files for your assistants</h2>
              <p>
                Upload documents for file search, data for code interpreter, or images for vision
                models.
              </p>
            </div>
          )
        )}
      </section>
    </div>
  );
}
