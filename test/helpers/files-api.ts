/** Uploads and vector-store helpers for HTTP tests over `app.inject`. */
import type { FastifyInstance } from 'fastify';
import { request } from './inject.ts';
import { multipart } from './multipart.ts';
import { waitFor } from './wait-for.ts';

/** Uploads `content` as `name` (octet-stream, as the SDK's toFile does) and returns the file object. */
export async function uploadFile(
  server: FastifyInstance,
  name: string,
  content: string | Uint8Array,
  headers: Record<string, string> = {},
) {
  const body = await multipart({ purpose: 'assistants' }, { name, content });
  const response = await server.inject({
    method: 'POST',
    url: '/v1/files',
    headers: { authorization: 'Bearer t', ...body.headers, ...headers },
    payload: body.payload,
  });
  if (response.statusCode !== 200) throw new Error(`upload of ${name} failed: ${response.body}`);
  return response.json() as { id: string; filename: string; bytes: number };
}

/** Waits until the vector store has no file in progress and returns it. */
export function waitForVectorStore(
  server: FastifyInstance,
  vectorStoreId: string,
  headers: Record<string, string> = {},
) {
  return waitFor(async () => {
    const response = await request(
      server,
      'GET',
      `/v1/vector_stores/${vectorStoreId}`,
      undefined,
      headers,
    );
    return response.body.status !== 'in_progress' && response.body;
  }, `vector store ${vectorStoreId} to finish ingestion`);
}
