/**
 * `/v1/threads/{thread_id}/runs`, `/v1/threads/runs`, and the resumable event stream (an extension).
 * `stream: true` answers with SSE once the request is accepted; anything refused before that is an
 * ordinary JSON error.
 */
import type { FastifyReply } from 'fastify';
import type { RunEvent } from '../../../domain/run-event.ts';
import type { RunFollow } from '../../../engine/runs-engine.ts';
import { defineRoute, type RouteDefinition } from '../../../http/route.ts';
import { sendEventStream, type ServerSentEvent } from '../../../http/sse.ts';
import { listSchema, pageOf } from '../../shared/common.schemas.ts';
import {
  RunCreateParamsSchema,
  RunCreateQuerySchema,
  RunEventsQuerySchema,
  RunListQuerySchema,
  RunPathSchema,
  RunSchema,
  RunUpdateParamsSchema,
  SubmitToolOutputsParamsSchema,
  ThreadCreateAndRunParamsSchema,
  ThreadRunsPathSchema,
} from './runs.schemas.ts';
import { idPathFastPath } from '../../shared/fast-paths.ts';
import {
  createRunFastPath,
  createThreadAndRunFastPath,
  runCreateQueryFastPath,
} from './runs.fast-paths.ts';
import type { RunsService } from './runs.service.ts';

/** How long an SDK poller should wait between retrieves of a live run. */
const POLL_AFTER_MS = '250';

/** A run event's SSE frame: its stored JSON as is, its seq as the frame's id (for Last-Event-ID). */
function asSse(event: RunEvent): ServerSentEvent {
  return { event: event.event, data: event.data, id: event.seq };
}

export function runsRoutes(runs: RunsService): RouteDefinition[] {
  const tag = 'Runs';

  function stream(reply: FastifyReply, runId: string, afterSeq: number, follow?: RunFollow) {
    return sendEventStream(
      reply,
      (signal) => runs.events(runId, afterSeq, signal, follow),
      {},
      asSse,
    );
  }

  return [
    defineRoute({
      method: 'POST',
      path: '/v1/threads/:thread_id/runs',
      operationId: 'createRun',
      summary: 'Create a run (SSE with stream: true)',
      tag,
      params: ThreadRunsPathSchema,
      query: RunCreateQuerySchema,
      body: RunCreateParamsSchema,
      fastPaths: {
        params: idPathFastPath({ thread_id: 'thread' }),
        query: runCreateQueryFastPath,
        body: createRunFastPath,
      },
      response: RunSchema,
      handler: async ({ projectId, principal, params, query, body, reply }) => {
        const { run, follow } = await runs.create(
          projectId,
          params.thread_id,
          body,
          query['include[]'] ?? [],
          principal.keyId,
        );
        return body.stream ? stream(reply, run.id, 0, follow) : run;
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/threads/runs',
      operationId: 'createThreadAndRun',
      summary: 'Create a thread and run it (SSE with stream: true)',
      tag,
      body: ThreadCreateAndRunParamsSchema,
      fastPaths: { body: createThreadAndRunFastPath },
      response: RunSchema,
      handler: async ({ projectId, principal, body, reply }) => {
        const { run, follow } = await runs.createThreadAndRun(projectId, body, principal.keyId);
        return body.stream ? stream(reply, run.id, 0, follow) : run;
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/threads/:thread_id/runs',
      operationId: 'listRuns',
      summary: 'List runs',
      tag,
      params: ThreadRunsPathSchema,
      query: RunListQuerySchema,
      response: listSchema(RunSchema),
      handler: ({ projectId, params, query }) =>
        runs.list(projectId, params.thread_id, pageOf(query)),
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/threads/:thread_id/runs/:run_id',
      operationId: 'getRun',
      summary: 'Retrieve a run',
      tag,
      params: RunPathSchema,
      response: RunSchema,
      handler: async ({ projectId, params, reply }) => {
        const run = await runs.retrieve(projectId, params.thread_id, params.run_id);
        reply.header('openai-poll-after-ms', POLL_AFTER_MS);
        return run;
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/threads/:thread_id/runs/:run_id',
      operationId: 'modifyRun',
      summary: 'Modify a run (metadata)',
      tag,
      params: RunPathSchema,
      body: RunUpdateParamsSchema,
      response: RunSchema,
      handler: ({ projectId, params, body }) =>
        runs.updateMetadata(projectId, params.thread_id, params.run_id, body.metadata),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/threads/:thread_id/runs/:run_id/cancel',
      operationId: 'cancelRun',
      summary: 'Cancel a run',
      tag,
      params: RunPathSchema,
      response: RunSchema,
      handler: ({ projectId, params }) => runs.cancel(projectId, params.thread_id, params.run_id),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/threads/:thread_id/runs/:run_id/submit_tool_outputs',
      operationId: 'submitToolOuputsToRun',
      summary: 'Submit tool outputs (SSE with stream: true)',
      tag,
      params: RunPathSchema,
      body: SubmitToolOutputsParamsSchema,
      response: RunSchema,
      handler: async ({ projectId, principal, params, body, reply }) => {
        const { run, afterSeq } = await runs.submitToolOutputs(
          projectId,
          params.thread_id,
          params.run_id,
          body,
          principal.keyId,
        );
        return body.stream ? stream(reply, run.id, afterSeq) : run;
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/threads/:thread_id/runs/:run_id/events',
      operationId: 'streamRunEvents',
      summary:
        "Replay a run's stored events after a seq, then follow it live (SSE; resumable with Last-Event-ID)",
      tag,
      extension: true,
      params: RunPathSchema,
      query: RunEventsQuerySchema,
      handler: async ({ projectId, params, query, request, reply }) => {
        await runs.retrieve(projectId, params.thread_id, params.run_id);
        const lastEventId = Number(request.headers['last-event-id']);
        const after =
          query.after ?? (Number.isSafeInteger(lastEventId) && lastEventId >= 0 ? lastEventId : 0);
        return stream(reply, params.run_id, after);
      },
    }),
  ];
}
