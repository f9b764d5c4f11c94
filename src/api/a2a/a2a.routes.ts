/**
 * `/v1/a2a/{assistant_id}`: each assistant served as an A2A agent (an extension). Authentication and
 * project scoping are the API's own: an assistant of another project is a 404, before any JSON-RPC.
 * Past that, protocol errors are JSON-RPC error objects (HTTP 200), as A2A clients expect.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequestError } from '../../domain/errors.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import {
  DELEGATION_DEPTH_HEADER,
  parseDelegationDepth,
} from '../../service-agents/delegation-depth.ts';
import { sendEventStream, type ServerSentEvent } from '../../http/sse.ts';
import {
  A2aPathSchema,
  AgentCardSchema,
  JsonRpcRequestSchema,
  JsonRpcResponseSchema,
} from './a2a.schemas.ts';
import { isStream, type A2aService, type JsonRpcResult } from './a2a.service.ts';

type JsonRpcResponse = { jsonrpc: string; id: string | number | null; error?: unknown };

function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** The delegation level the caller claims; a header that is not one whole number is refused. */
function delegationDepthOf(request: FastifyRequest): number {
  const depth = parseDelegationDepth(request.headers[DELEGATION_DEPTH_HEADER.toLowerCase()]);
  if (depth === undefined)
    throw new InvalidRequestError(
      `The ${DELEGATION_DEPTH_HEADER} header must be one whole number (the delegation level).`,
      DELEGATION_DEPTH_HEADER,
    );
  return depth;
}

function versionOf(request: FastifyRequest): string | undefined {
  const header = request.headers['a2a-version'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}

/** A signal aborted when the response ends or the caller disconnects. */
function closeSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => controller.abort());
  return controller.signal;
}

async function* frames(
  first: JsonRpcResponse,
  rest: AsyncIterator<JsonRpcResponse>,
): AsyncIterable<ServerSentEvent> {
  yield { event: 'message', data: JSON.stringify(first) };
  for (let next = await rest.next(); !next.done; next = await rest.next())
    yield { event: 'message', data: JSON.stringify(next.value) };
}

/**
 * Streams a JSON-RPC stream as SSE (A2A framing: JSON-RPC objects as `data`, no `[DONE]`). A stream that
 * fails before its first event is answered as one JSON-RPC error object instead, as the SDK's server does.
 */
async function respond(reply: FastifyReply, result: JsonRpcResult): Promise<unknown> {
  if (!isStream(result)) return result;
  const first = await result.next();
  if (first.done) return { jsonrpc: '2.0', id: null, result: null };
  const value = first.value as JsonRpcResponse;
  if (value.error !== undefined) return value;
  return sendEventStream(reply, () => frames(value, result as AsyncIterator<JsonRpcResponse>), {
    end: null,
    errorEvent: () => ({
      event: 'error',
      data: JSON.stringify({
        jsonrpc: '2.0',
        id: value.id,
        error: { code: -32603, message: 'The stream failed.' },
      }),
    }),
  });
}

export function a2aRoutes(a2a: A2aService): RouteDefinition[] {
  const tag = 'A2A';
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/a2a/:assistant_id/.well-known/agent-card.json',
      operationId: 'getAssistantAgentCard',
      summary:
        "An assistant's A2A agent card (protocol v1.0 when asked with `A2A-Version: 1.0`, else v0.3)",
      tag,
      extension: true,
      params: A2aPathSchema,
      response: AgentCardSchema,
      handler: ({ projectId, params, request, reply }) => {
        reply.header('vary', 'A2A-Version');
        return a2a.card(projectId, params.assistant_id, {
          origin: originOf(request),
          requestedVersion: versionOf(request),
        });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/a2a/:assistant_id',
      operationId: 'callAssistantAgent',
      summary:
        "An assistant's A2A JSON-RPC endpoint: send a message (blocking, or streamed as SSE), get, cancel or resubscribe to a task",
      tag,
      extension: true,
      params: A2aPathSchema,
      body: JsonRpcRequestSchema,
      response: JsonRpcResponseSchema,
      handler: async ({ projectId, params, body, request, reply }) => {
        const result = await a2a.handle(projectId, params.assistant_id, body, {
          origin: originOf(request),
          requestedVersion: versionOf(request),
          signal: closeSignal(reply),
          delegationDepth: delegationDepthOf(request),
          onError: (error) => request.log.error({ err: error }, 'A2A request failed'),
        });
        return respond(reply, result);
      },
    }),
  ];
}
