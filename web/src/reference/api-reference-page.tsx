/** The API reference: the server's own OpenAPI document (`/v1/openapi.json`), rendered and filterable. */
import { useMemo, useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import { useResource } from '../api/use-resource.ts';
import { ErrorBanner } from '../ui/error-banner.tsx';
import { operationsByTag, type OpenApiDocument, type Operation } from './openapi-document.ts';
import { OperationView } from './operation-view.tsx';

const anchorOf = (tag: string) => `tag-${tag.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

export function ApiReferencePage() {
  const api = useApi();
  const document = useResource(() => api.get<OpenApiDocument>('/v1/openapi.json'), [api]);
  const [filter, setFilter] = useState('');
  const groups = useMemo(
    () => (document.value ? operationsByTag(document.value) : new Map<string, Operation[]>()),
    [document.value],
  );
  const needle = filter.trim().toLowerCase();
  const visible = [...groups.entries()]
    .map(
      ([tag, operations]) =>
        [
          tag,
          operations.filter(
            (operation) =>
              !needle ||
              `${operation.method} ${operation.path} ${operation.summary}`
                .toLowerCase()
                .includes(needle),
          ),
        ] as const,
    )
    .filter(([, operations]) => operations.length > 0);

  return (
    <div className="reference">
      <h1>API reference</h1>
      {document.value && (
        <p>
          {document.value.info.title} {document.value.info.version}.{' '}
          {document.value.info.description} The raw document is at{' '}
          <a href="/v1/openapi.json">/v1/openapi.json</a>.
        </p>
      )}
      <ErrorBanner error={document.error} />
      <div className="field inline" role="search">
        <label htmlFor="reference-filter">Filter endpoints</label>
        <input
          id="reference-filter"
          type="search"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
      </div>
      <nav aria-label="Endpoint groups" className="toc">
        <ul>
          {visible.map(([tag, operations]) => (
            <li key={tag}>
              <a href={`#${anchorOf(tag)}`}>
                {tag} ({operations.length})
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {visible.map(([tag, operations]) => (
        <section key={tag} id={anchorOf(tag)} aria-labelledby={`${anchorOf(tag)}-title`}>
          <h2 id={`${anchorOf(tag)}-title`}>{tag}</h2>
          {operations.map((operation) => (
            <OperationView key={`${operation.method} ${operation.path}`} operation={operation} />
          ))}
        </section>
      ))}
    </div>
  );
}
