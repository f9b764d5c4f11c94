/**
 * `/v1/responses` over a WebSocket, as the SDK's `ResponsesWS` speaks it: the client sends
 * `response.create` events (the body of `POST /v1/responses`, streaming implied), the server answers
 * each with the same events an SSE stream carries, from the same translation of the same stored run
 * events. One socket serves any number of responses; those with the same `stream_id` (the default
 * lane has none) run one after the other, and their events echo the `stream_id`. A bad message is
 * answered with an `error` event and the socket stays open.
 *
 * As OpenAI's WebSocket mode does, a socket remembers in memory its latest `store: false` response
 * of each lane, so that the next `response.create` on the socket (on any lane) can name it as
 * `previous_response_id`; nothing of it is written beyond the responses that read it, and the memory
 * goes with the socket.
 */
import { z } from 'zod';
import { InvalidRequestError } from '../../domain/errors.ts';
import type { ResponseRecord } from '../../domain/response.ts';
import { defineSocketRoute, type SocketConnection } from '../../http/socket-route.ts';
import { parseOrThrow } from '../../http/validation.ts';
import { ResponseCreateParamsSchema } from './responses.schemas.ts';
import type { ResponsesService } from './responses.service.ts';
import { UnstoredMemory } from './unstored-memory.ts';

/** The envelope of a client event; the rest of a `response.create` is a create body. */
const ClientEventSchema = z.looseObject({
  type: z.literal('response.create', {
    error: (issue) =>
      `Invalid value: ${JSON.stringify(issue.input)}. Supported values are: 'response.create'.`,
  }),
  stream_id: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,256}$/, { error: 'must be 1-256 characters of A-Z, a-z, 0-9, _.-' })
    .optional(),
});

/** Responses a socket may have waiting or running at once, over all its lanes (OpenAI's limit code). */
const MAX_PENDING = 32;

function parseMessage(text: string): { laneId: string | undefined; body: unknown } {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new InvalidRequestError('The message is not valid JSON.', null, 'invalid_json');
  }
  const {
    type: _type,
    stream_id: laneId,
    ...body
  } = parseOrThrow(ClientEventSchema, message, 'body');
  return { laneId, body };
}

async function serve(
  responses: ResponsesService,
  connection: SocketConnection,
  memory: UnstoredMemory,
  body: Record<string, unknown>,
  echo: Record<string, string>,
): Promise<void> {
  // Queued behind a response of the same lane on a socket that has closed since: nobody listens.
  if (connection.signal.aborted) return;
  if (body.background === true)
    throw new InvalidRequestError(
      'Background responses are not supported over a WebSocket; use POST /v1/responses.',
      'background',
    );
  // Streaming is implied over a socket: `stream` is accepted and ignored.
  const params = parseOrThrow(ResponseCreateParamsSchema, { ...body, stream: true }, 'body');
  const { principal } = connection;
  const record = await responses.create(
    principal.projectId,
    params,
    principal.keyId,
    memory.lookup,
  );
  let last = -1;
  try {
    for await (const event of responses.events(record, undefined, connection.signal)) {
      last = event.sequence_number;
      await connection.send({ ...event, ...echo });
    }
  } catch (error) {
    if (!connection.signal.aborted)
      await connection.sendError(error, { sequence_number: last + 1, ...echo });
  } finally {
    // As over SSE: a response that is not stored is dropped once its stream ended.
    if (!record.response.store) await rememberUnstored(responses, connection, memory, record, echo);
  }
}

/** Drops a `store: false` response, remembering its items when it ended well on an open socket. */
async function rememberUnstored(
  responses: ResponsesService,
  connection: SocketConnection,
  memory: UnstoredMemory,
  record: ResponseRecord,
  echo: Record<string, string>,
): Promise<void> {
  const response = await responses.settle(record, new AbortController().signal);
  const ended = response.status === 'completed' || response.status === 'incomplete';
  // A conversation keeps its own items; a response in one is not chained by id.
  if (!ended || response.conversation || connection.signal.aborted) return;
  memory.remember(
    echo['stream_id'] ?? '',
    response.id,
    await responses.itemsThrough(record, response),
  );
}

export function responsesSocketRoute(responses: ResponsesService) {
  return defineSocketRoute({
    path: '/v1/responses',
    summary: 'Create responses over a WebSocket (`response.create` events)',
    open(connection) {
      const lanes = new Map<string, Promise<void>>();
      const memory = new UnstoredMemory();
      let pending = 0;
      connection.onMessage((text) => {
        let parsed: ReturnType<typeof parseMessage>;
        try {
          parsed = parseMessage(text);
        } catch (error) {
          void connection.sendError(error);
          return;
        }
        const { laneId, body } = parsed;
        const echo: Record<string, string> = laneId === undefined ? {} : { stream_id: laneId };
        if (pending >= MAX_PENDING) {
          const error = new InvalidRequestError(
            `This WebSocket connection has ${MAX_PENDING} responses waiting or running; wait for one to end.`,
            'stream_id',
            'websocket_stream_limit_reached',
          );
          void connection.sendError(error, echo);
          return;
        }
        pending += 1;
        const key = laneId ?? '';
        const turn = (lanes.get(key) ?? Promise.resolve())
          .then(() => serve(responses, connection, memory, body as Record<string, unknown>, echo))
          .catch((error: unknown) => connection.sendError(error, echo))
          .finally(() => {
            pending -= 1;
            if (lanes.get(key) === turn) lanes.delete(key);
          });
        lanes.set(key, turn);
      });
    },
  });
}
