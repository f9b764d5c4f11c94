/** The parts of the server's OpenAPI 3.1 document (`/v1/openapi.json`) that the reference page shows. */
export type JsonSchema = {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  [key: string]: unknown;
};

export interface Operation {
  method: string;
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  extension: boolean;
  public: boolean;
  parameters: Array<{ name: string; in: string; required: boolean; schema: JsonSchema }>;
  requestBody: JsonSchema | undefined;
  response: JsonSchema | undefined;
}

interface RawOperation {
  operationId: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  'x-concierge-extension'?: boolean;
  parameters?: Operation['parameters'];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

export interface OpenApiDocument {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, RawOperation>>;
}

/** Flattens the document into operations grouped by tag, in the document's order. */
export function operationsByTag(document: OpenApiDocument): Map<string, Operation[]> {
  const groups = new Map<string, Operation[]>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const tag = operation.tags?.[0] ?? 'Other';
      const entry: Operation = {
        method: method.toUpperCase(),
        path,
        operationId: operation.operationId,
        summary: operation.summary ?? '',
        tag,
        extension: operation['x-concierge-extension'] === true,
        public: Array.isArray(operation.security) && operation.security.length === 0,
        parameters: operation.parameters ?? [],
        requestBody: operation.requestBody?.content?.['application/json']?.schema,
        response: operation.responses?.['200']?.content?.['application/json']?.schema,
      };
      groups.set(tag, [...(groups.get(tag) ?? []), entry]);
    }
  }
  return groups;
}

/** A short type label: `string`, `integer | null`, `array of object`, `"auto" | "none"`. */
export function typeLabel(schema: JsonSchema | undefined): string {
  if (!schema) return 'any';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return [...new Set(variants.map(typeLabel))].join(' | ');
  if (schema.type === 'array') return `array of ${typeLabel(schema.items)}`;
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return schema.type ?? 'any';
}
