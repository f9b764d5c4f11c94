/** One endpoint: method and path, summary, parameters, request body and response schemas. */
import type { Operation } from './openapi-document.ts';
import { typeLabel } from './openapi-document.ts';
import { SchemaView } from './schema-view.tsx';

export function OperationView({ operation }: { operation: Operation }) {
  const id = `operation-${operation.operationId}`;
  return (
    <article className="operation" aria-labelledby={id} id={operation.operationId}>
      <h3 id={id}>
        <span className={`method method-${operation.method.toLowerCase()}`}>
          {operation.method}
        </span>{' '}
        <code>{operation.path}</code>
      </h3>
      <p>
        {operation.summary}
        {operation.extension && <span className="badge badge-muted">Concierge extension</span>}
        {operation.public && <span className="badge badge-muted">no key needed</span>}
      </p>
      {operation.parameters.length > 0 && (
        <table className="schema">
          <caption>Parameters</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">In</th>
              <th scope="col">Type</th>
              <th scope="col">Required</th>
            </tr>
          </thead>
          <tbody>
            {operation.parameters.map((parameter) => (
              <tr key={`${parameter.in}-${parameter.name}`}>
                <th scope="row">
                  <code>{parameter.name}</code>
                </th>
                <td>{parameter.in}</td>
                <td>{typeLabel(parameter.schema)}</td>
                <td>{parameter.required ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {operation.requestBody && (
        <details>
          <summary>Request body</summary>
          <SchemaView
            schema={operation.requestBody}
            caption={`Request body of ${operation.operationId}`}
          />
        </details>
      )}
      {operation.response && (
        <details>
          <summary>Response</summary>
          <SchemaView
            schema={operation.response}
            caption={`Response of ${operation.operationId}`}
          />
        </details>
      )}
    </article>
  );
}
