/**
 * The span of one execution of a run (`invoke_agent`): a child of the trace context stored with the
 * run by the request that created it, so the trace follows the run into whichever worker process
 * claims it, and into the one that takes it over after a lost lease. With tracing off it is a no-op.
 */
import type { Run } from '../domain/run.ts';
import type { RunRecord } from '../domain/run-record.ts';
import { Concierge, GenAi } from '../telemetry/gen-ai-attributes.ts';
import { contextFromHeaders } from '../telemetry/trace-propagation.ts';
import {
  contextWithSpan,
  markFailed,
  recordFailure,
  runInContext,
  startSpan,
  type Span,
} from '../telemetry/tracer.ts';

/** Runs `work` (one execution of the claimed run) inside the run's span. */
export async function inRunSpan<T>(
  record: RunRecord,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const { run, options } = record;
  const parent = contextFromHeaders(options.trace_context);
  const span = startSpan('invoke_agent', {
    parent,
    attributes: {
      [GenAi.operationName]: 'invoke_agent',
      [GenAi.agentId]: run.assistant_id,
      [GenAi.conversationId]: run.thread_id,
      [GenAi.requestModel]: run.model,
      [Concierge.runId]: run.id,
      [Concierge.projectId]: record.projectId,
      // A response's run is named by its response id.
      ...(options.history === 'external' ? { [Concierge.responseId]: run.assistant_id } : {}),
      // Claimed in another status than `queued`: an earlier worker started it and lost its lease.
      [Concierge.runTakeover]: run.status !== 'queued',
    },
  });
  try {
    return await runInContext(contextWithSpan(span, parent), () => work(span));
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** What the execution left the run as: its status, and its usage once it reports one. */
export function describeRunOutcome(span: Span, run: Run): void {
  if (!span.isRecording()) return;
  span.setAttribute(Concierge.runStatus, run.status);
  if (run.usage) {
    span.setAttribute(GenAi.usageInputTokens, run.usage.prompt_tokens);
    span.setAttribute(GenAi.usageOutputTokens, run.usage.completion_tokens);
  }
  if (run.status === 'failed') markFailed(span, run.last_error?.code ?? 'failed');
}
