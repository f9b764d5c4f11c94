/**
 * A response's status, error, incomplete details and usage, from its run's. A run paused for the
 * client's function calls is a completed response (the calls are its output), as OpenAI's is.
 */
import type { Response, ResponseStatus, ResponseUsage } from '../../domain/response.ts';
import type { Run, RunStatus, Usage } from '../../domain/run.ts';

const STATUS_OF_RUN: Record<RunStatus, ResponseStatus> = {
  queued: 'queued',
  in_progress: 'in_progress',
  requires_action: 'completed',
  cancelling: 'in_progress',
  cancelled: 'cancelled',
  failed: 'failed',
  completed: 'completed',
  incomplete: 'incomplete',
  expired: 'failed',
};

export function responseStatus(status: RunStatus): ResponseStatus {
  return STATUS_OF_RUN[status];
}

export function responseError(run: Run): Response['error'] {
  if (run.status === 'expired')
    return { code: 'server_error', message: 'The response expired before a worker could run it.' };
  if (run.status !== 'failed' || !run.last_error) return null;
  return { code: run.last_error.code, message: run.last_error.message };
}

export function responseIncomplete(run: Run): Response['incomplete_details'] {
  if (run.status !== 'incomplete') return null;
  // Both run budgets are the response's `max_output_tokens` (the window left no room to answer).
  return { reason: 'max_output_tokens' };
}

/**
 * The usage of a response: the run's, less what the run had used before the response began, with
 * the reasoning tokens its provider reported for the response's turns.
 */
export function responseUsage(
  usage: Usage | null,
  before: Usage | null,
  reasoningTokens = 0,
): ResponseUsage | null {
  if (!usage) return null;
  const input = usage.prompt_tokens - (before?.prompt_tokens ?? 0);
  const output = usage.completion_tokens - (before?.completion_tokens ?? 0);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoningTokens },
    total_tokens: input + output,
  };
}
