/**
 * `/v1/responses`. `stream: true` answers with SSE once the response is accepted (anything refused
 * before is a JSON error); `GET …?stream=true&starting_after=N` resumes a response's stream.
 */
import type { FastifyReply } from 'fastify';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import { clientGoneSignal } from '../../http/client-gone.ts';
import { sendEventStream, type ServerSentEvent } from '../../http/sse.ts';
import { listSchema } from '../shared/common.schemas.ts';
import type { ResponseStreamEvent } from './response-events.ts';
import type { InputTokensService } from './input-tokens.ts';
import type { CompactionService } from './response-compaction.ts';
import {
  CompactedResponseSchema,
  CompactParamsSchema,
  DeletedResponseSchema,
  InputTokensObjectSchema,
  InputTokensParamsSchema,
  InputItemsQuerySchema,
  ResponseCreateParamsSchema,
  ResponseObjectSchema,
  ResponsePathSchema,
  ResponseRetrieveQuerySchema,
} from './responses.schemas.ts';
import { z } from 'zod';
import type { ResponsesService } from './responses.service.ts';
import type { ResponseRecord } from '../../domain/response.ts';

async function* asSse(
  events: AsyncIterable<ResponseStreamEvent>,
  after: () => Promise<void>,
): AsyncIterable<ServerSentEvent> {
  try {
    for await (const event of events)
      yield { event: event.type, data: JSON.stringify(event), id: event.sequence_number };
  } finally {
    await after();
  }
}

export function responsesRoutes(
  responses: ResponsesService,
  { inputTokens, compaction }: { inputTokens: InputTokensService; compaction: CompactionService },
): RouteDefinition[] {
  const tag = 'Responses';

  function stream(reply: FastifyReply, record: ResponseRecord, startingAfter?: number) {
    return sendEventStream(reply, (signal) =>
      asSse(responses.events(record, startingAfter, signal), async () => {
        // A response that is not stored is dropped once its stream ended (or its client left).
        if (!record.response.store) await responses.settle(record, new AbortController().signal);
      }),
    );
  }

  return [
    defineRoute({
      method: 'POST',
      path: '/v1/responses',
      operationId: 'createResponse',
      summary: 'Create a response (SSE with stream: true)',
      tag,
      body: ResponseCreateParamsSchema,
      response: ResponseObjectSchema,
      handler: async ({ projectId, principal, body, reply }) => {
        const record = await responses.create(projectId, body, principal.keyId);
        if (body.stream) return stream(reply, record);
        if (body.background) return responses.retrieve(projectId, record.response.id);
        return responses.settle(record, clientGoneSignal(reply));
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/responses/input_tokens',
      operationId: 'Getinputtokencounts',
      summary: 'Count the input tokens of a response request',
      tag,
      body: InputTokensParamsSchema,
      response: InputTokensObjectSchema,
      handler: ({ projectId, body }) => inputTokens.count(projectId, body),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/responses/compact',
      operationId: 'Compactconversation',
      summary: "Compact a response chain's history into a compaction item",
      tag,
      body: CompactParamsSchema,
      response: CompactedResponseSchema,
      handler: ({ projectId, principal, body, reply }) => {
        return compaction.compact(projectId, body, clientGoneSignal(reply), principal.keyId);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/responses/:response_id',
      operationId: 'getResponse',
      summary: 'Retrieve a response (SSE with stream=true, resumed after starting_after)',
      tag,
      params: ResponsePathSchema,
      query: ResponseRetrieveQuerySchema,
      response: ResponseObjectSchema,
      handler: async ({ projectId, params, query, reply }) => {
        const include = query['include[]'];
        if (query.stream !== 'true')
          return responses.retrieve(
            projectId,
            params.response_id,
            typeof include === 'string' ? [include] : include,
          );
        const record = await responses.find(projectId, params.response_id);
        return stream(reply, record, query.starting_after);
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/responses/:response_id',
      operationId: 'deleteResponse',
      summary: 'Delete a response',
      tag,
      params: ResponsePathSchema,
      response: DeletedResponseSchema,
      handler: ({ projectId, params }) => responses.delete(projectId, params.response_id),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/responses/:response_id/cancel',
      operationId: 'cancelResponse',
      summary: 'Cancel a background response',
      tag,
      params: ResponsePathSchema,
      response: ResponseObjectSchema,
      handler: ({ projectId, params }) => responses.cancel(projectId, params.response_id),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/responses/:response_id/input_items',
      operationId: 'listInputItems',
      summary: "List a response's input items",
      tag,
      params: ResponsePathSchema,
      query: InputItemsQuerySchema,
      response: listSchema(z.looseObject({ type: z.string(), id: z.string() })),
      handler: ({ projectId, params, query }) =>
        responses.inputItems(projectId, params.response_id, query),
    }),
  ];
}
