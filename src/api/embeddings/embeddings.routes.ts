/** `POST /v1/embeddings`: OpenAI's embeddings endpoint, served by this server's embedder. */
import { clientGoneSignal } from '../../http/client-gone.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import {
  CreateEmbeddingResponseSchema,
  EmbeddingCreateParamsSchema,
} from './embeddings.schemas.ts';
import type { EmbeddingsService } from './embeddings.service.ts';

export function embeddingsRoutes(service: EmbeddingsService): RouteDefinition[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/embeddings',
      operationId: 'createEmbedding',
      summary: "Creates embedding vectors with the server's embedder (local:use-lite by default)",
      tag: 'Embeddings',
      body: EmbeddingCreateParamsSchema,
      response: CreateEmbeddingResponseSchema,
      // A client that hangs up stops the batches not yet embedded.
      handler: ({ projectId, principal, body, reply }) =>
        service.create(body, { projectId, apiKeyId: principal.keyId }, clientGoneSignal(reply)),
    }),
  ];
}
