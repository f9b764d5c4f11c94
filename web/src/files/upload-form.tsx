/** Uploads one file with a purpose (`POST /v1/files`). */
import { useState, type FormEvent } from 'react';
import { useApi } from '../api/api-context.tsx';
import type { FileObject } from '../api/api-objects.ts';
import { ErrorBanner } from '../ui/error-banner.tsx';

const PURPOSES = ['assistants', 'vision', 'user_data'];

export function UploadForm({ onUploaded }: { onUploaded(file: FileObject): void }) {
  const api = useApi();
  const [file, setFile] = useState<File>();
  const [purpose, setPurpose] = useState('assistants');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!file) return;
    const form = event.currentTarget;
    setBusy(true);
    setError(undefined);
    try {
      onUploaded(await api.upload<FileObject>(file, purpose));
      form.reset();
      setFile(undefined);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="card upload-form"
      onSubmit={(event) => void submit(event)}
      aria-label="Upload a file"
    >
      <div className="field">
        <label htmlFor="upload-file">File</label>
        <input
          id="upload-file"
          type="file"
          required
          onChange={(event) => setFile(event.target.files?.[0])}
        />
      </div>
      <div className="field">
        <label htmlFor="upload-purpose">Purpose</label>
        <select
          id="upload-purpose"
          value={purpose}
          onChange={(event) => setPurpose(event.target.value)}
        >
          {PURPOSES.map((name) => (
            <option key={name}>{name}</option>
          ))}
        </select>
      </div>
      <button type="submit" className="primary" disabled={busy || !file}>
        Upload
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}
