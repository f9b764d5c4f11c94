/** Generates the OpenAPI 3.1 document of our own routes from the same declarations the server runs. */
import { z } from 'zod';
import type { RouteDefinition } from './route.ts';

type JsonSchema = Record<string, unknown>;

function toJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query') {
  if (!schema) return [];
  const json = toJsonSchema(schema) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

export function buildOpenApiDocument(routes: RouteDefinition[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([a-z_]+)/g, '{$1}');
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses: {
        '200': {
          description: 'OK',
          ...(route.response
            ? { content: { 'application/json': { schema: toJsonSchema(route.response) } } }
            : {}),
        },
        default: { description: 'An error: `{error: {message, type, param, code}}`' },
      },
      ...(route.access === 'public' ? { security: [] } : {}),
      ...(route.extension ? { 'x-concierge-extension': true } : {}),
    };
    if (route.body) {
      operation['requestBody'] = {
        required: true,
        content: { 'application/json': { schema: toJsonSchema(route.body) } },
      };
    } else if (route.documentedBody) {
      const schema = toJsonSchema(route.documentedBody);
      operation['requestBody'] = {
        required: true,
        content: { 'application/json': { schema }, 'multipart/form-data': { schema } },
      };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Concierge',
      version,
      description:
        "OpenAI Assistants API v2 compatible server. Routes marked `x-concierge-extension` are Concierge's own additions.",
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
