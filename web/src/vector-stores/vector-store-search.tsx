/** Searches one vector store (`POST /v1/vector_stores/{id}/search`) and shows each hit with its score. */
import { useState, type FormEvent } from 'react';
import { useApi } from '../api/api-context.tsx';
import type { VectorStoreSearchResult } from '../api/api-objects.ts';
import { FileNameLink } from '../files/file-name-link.tsx';
import { ErrorBanner } from '../ui/error-banner.tsx';

export function VectorStoreSearch({ vectorStoreId }: { vectorStoreId: string }) {
  const api = useApi();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<VectorStoreSearchResult[]>();
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const page = await api.post<{ data: VectorStoreSearchResult[] }>(
        `/v1/vector_stores/${vectorStoreId}/search`,
        { query },
      );
      setResults(page.data);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <section aria-labelledby="search-title">
      <h3 id="search-title">Search</h3>
      <form className="inline-form" onSubmit={(event) => void submit(event)} role="search">
        <label htmlFor="vector-store-query">Query</label>
        <input
          id="vector-store-query"
          required
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="submit">Search</button>
      </form>
      <ErrorBanner error={error} />
      {results && results.length === 0 && <p className="muted">No results.</p>}
      {results && results.length > 0 && (
        <ol className="search-results">
          {results.map((result, index) => (
            <li key={`${result.file_id}-${index}`}>
              <p>
                <FileNameLink fileId={result.file_id} />{' '}
                <span className="muted">score {result.score.toFixed(3)}</span>
              </p>
              <p className="result-text">{result.content.map((part) => part.text).join('\n')}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
