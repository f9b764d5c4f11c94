/** Any JSON value as nested definition lists, so every field of a proposal is visible and labelled. */
export function ValueTree({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="muted">none</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">empty list</span>;
    return (
      <ol className="value-list">
        {value.map((item, index) => (
          <li key={index}>
            <ValueTree value={item} />
          </li>
        ))}
      </ol>
    );
  }
  if (typeof value === 'object') {
    return (
      <dl className="value-tree">
        {Object.entries(value as Record<string, unknown>).map(([key, item]) => (
          <div key={key} className="value-row">
            <dt>{key.replaceAll('_', ' ')}</dt>
            <dd>
              <ValueTree value={item} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span className="value">{String(value)}</span>;
}
