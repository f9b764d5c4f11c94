/** An image stored as a file (an upload, or a chart a tool produced), fetched with the session's key. */
import { useEffect, useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import { useFile } from './use-file.ts';

export function FileImage({ fileId }: { fileId: string }) {
  const api = useApi();
  const file = useFile(fileId);
  const [url, setUrl] = useState<string>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let objectUrl: string | undefined;
    let current = true;
    const load = async () => {
      try {
        const blob = await api.blob(`/v1/files/${fileId}/content`);
        if (!current) return;
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      } catch {
        if (current) setFailed(true);
      }
    };
    void load();
    return () => {
      current = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [api, fileId]);
  if (failed) return <p className="muted">Image {fileId} could not be loaded.</p>;
  if (!url) return <p className="muted">Loading image…</p>;
  return (
    <img
      className="file-image"
      src={url}
      alt={file ? `Image file ${file.filename}` : `Image file ${fileId}`}
    />
  );
}
