/** JSON shown as indented text: tool arguments, outputs and schemas, exactly as sent. */
export function JsonView({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre className="json" aria-label={label} tabIndex={0}>
      {formatJson(value)}
    </pre>
  );
}

/** Pretty-prints a value; a string holding JSON is parsed first, any other string is shown as is. */
export function formatJson(value: unknown): string {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2) ?? String(value);
}
