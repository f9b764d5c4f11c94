/** A JSON Schema object as a table of its properties; nested objects open on demand. */
import { typeLabel, type JsonSchema } from './openapi-document.ts';

function objectOf(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (!schema) return undefined;
  if (schema.properties) return schema;
  if (schema.type === 'array') return objectOf(schema.items);
  return (schema.anyOf ?? schema.oneOf)?.map(objectOf).find(Boolean);
}

export function SchemaView({ schema, caption }: { schema: JsonSchema; caption: string }) {
  const object = objectOf(schema);
  if (!object?.properties) return <p className="muted">{typeLabel(schema)}</p>;
  const required = new Set(object.required ?? []);
  return (
    <table className="schema">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Type</th>
          <th scope="col">Required</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(object.properties).map(([name, property]) => {
          const nested = objectOf(property);
          return (
            <tr key={name}>
              <th scope="row">
                <code>{name}</code>
              </th>
              <td>
                {typeLabel(property)}
                {property.description && <p className="hint">{property.description}</p>}
                {nested?.properties && (
                  <details>
                    <summary>Fields of {name}</summary>
                    <SchemaView schema={nested} caption={`Fields of ${name}`} />
                  </details>
                )}
              </td>
              <td>{required.has(name) ? 'yes' : 'no'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
