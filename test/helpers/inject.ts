/** Small helpers over `app.inject` so HTTP tests read as requests and expectations. */
import type { FastifyInstance } from 'fastify';

export interface JsonResponse {
  status: number;
  body: any;
  headers: Record<string, string | string[] | number | undefined>;
}

export async function request(
  server: FastifyInstance,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const response = await server.inject({
    method,
    url,
    headers: {
      authorization: 'Bearer test',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined
      ? { payload: typeof body === 'string' ? body : JSON.stringify(body) }
      : {}),
  });
  let parsed: unknown = response.body;
  if (String(response.headers['content-type'] ?? '').startsWith('application/json'))
    parsed = response.json();
  return { status: response.statusCode, body: parsed, headers: response.headers };
}

/** Asserts nothing; returns the OpenAI error envelope's inner object for expectations. */
export function errorOf(response: JsonResponse): {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
} {
  return response.body.error;
}
