/** Downloads a file's bytes with the session's key (a plain link could not send the Authorization header). */
import { useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import { useFile } from './use-file.ts';

export function FileDownloadButton({ fileId, label }: { fileId: string; label?: string }) {
  const api = useApi();
  const file = useFile(fileId);
  const [error, setError] = useState<string>();
  const name = file?.filename ?? fileId;
  const download = async () => {
    try {
      const blob = await api.blob(`/v1/files/${fileId}/content`);
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = name;
      anchor.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <>
      <button type="button" className="link-button" onClick={() => void download()}>
        {label ?? `Download ${name}`}
      </button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
