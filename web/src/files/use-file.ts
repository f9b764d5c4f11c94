/** A file's metadata by id, fetched once per page load and shared by every component that names it. */
import { useEffect, useState } from 'react';
import type { ApiClient } from '../api/api-client.ts';
import { useApi } from '../api/api-context.tsx';
import type { FileObject } from '../api/api-objects.ts';

const cache = new Map<string, Promise<FileObject | undefined>>();

function loadFile(api: ApiClient, id: string): Promise<FileObject | undefined> {
  let pending = cache.get(id);
  if (!pending) {
    pending = api.get<FileObject>(`/v1/files/${id}`).catch(() => undefined);
    cache.set(id, pending);
  }
  return pending;
}

/** The file, or undefined while loading or when it is gone. */
export function useFile(id: string): FileObject | undefined {
  const api = useApi();
  const [file, setFile] = useState<FileObject>();
  useEffect(() => {
    let current = true;
    void loadFile(api, id).then((loaded) => current && setFile(loaded));
    return () => {
      current = false;
    };
  }, [api, id]);
  return file;
}
