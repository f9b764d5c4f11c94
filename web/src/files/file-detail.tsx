/** One file: its metadata, a preview for images, download, and delete (confirmed). */
import { useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import type { FileObject } from '../api/api-objects.ts';
import { ErrorBanner } from '../ui/error-banner.tsx';
import { formatBytes, formatTime } from '../ui/format.ts';
import { FileDownloadButton } from './file-download-button.tsx';
import { FileImage } from './file-image.tsx';

const IMAGE = /\.(png|jpe?g|gif|webp)$/i;

export function FileDetail({ file, onDeleted }: { file: FileObject; onDeleted(): void }) {
  const api = useApi();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();
  const remove = async () => {
    try {
      await api.delete(`/v1/files/${file.id}`);
      onDeleted();
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <section className="card" aria-labelledby="file-title">
      <h2 id="file-title">{file.filename}</h2>
      <dl className="facts">
        <div>
          <dt>Id</dt>
          <dd>
            <code>{file.id}</code>
          </dd>
        </div>
        <div>
          <dt>Purpose</dt>
          <dd>{file.purpose}</dd>
        </div>
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(file.bytes)}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatTime(file.created_at)}</dd>
        </div>
      </dl>
      {IMAGE.test(file.filename) && <FileImage fileId={file.id} />}
      <ErrorBanner error={error} />
      <div className="form-actions">
        <FileDownloadButton fileId={file.id} />
        {confirming ? (
          <span className="confirm">
            <button type="button" className="danger" onClick={() => void remove()}>
              Yes, delete {file.filename}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </span>
        ) : (
          <button type="button" className="danger-quiet" onClick={() => setConfirming(true)}>
            Delete file
          </button>
        )}
      </div>
    </section>
  );
}
