/** Creates a vector store from a name and any of the project's files. */
import { useState, type FormEvent } from 'react';
import { useApi } from '../api/api-context.tsx';
import type { FileObject, VectorStore } from '../api/api-objects.ts';
import { ErrorBanner } from '../ui/error-banner.tsx';

export function CreateVectorStoreForm({
  files,
  onCreated,
}: {
  files: FileObject[];
  onCreated(store: VectorStore): void;
}) {
  const api = useApi();
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      onCreated(
        await api.post<VectorStore>('/v1/vector_stores', {
          name: name.trim() || undefined,
          file_ids: chosen,
        }),
      );
      setName('');
      setChosen([]);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <form
      className="card"
      onSubmit={(event) => void submit(event)}
      aria-label="Create a vector store"
    >
      <div className="field">
        <label htmlFor="vector-store-name">Name</label>
        <input
          id="vector-store-name"
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </div>
      {files.length > 0 && (
        <fieldset>
          <legend>Files</legend>
          {files.map((file) => (
            <div className="check" key={file.id}>
              <input
                id={`new-store-${file.id}`}
                type="checkbox"
                checked={chosen.includes(file.id)}
                onChange={(event) =>
                  setChosen(
                    event.target.checked
                      ? [...chosen, file.id]
                      : chosen.filter((id) => id !== file.id),
                  )
                }
              />
              <label htmlFor={`new-store-${file.id}`}>{file.filename}</label>
            </div>
          ))}
        </fieldset>
      )}
      <button type="submit" className="primary">
        Create vector store
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}
