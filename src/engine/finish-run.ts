/**
 * Phase: end a run, or pause it. Closes whatever a turn left open (message, steps) in the way the
 * ending calls for, then moves the run to its new status with its event.
 */
import { nowSeconds } from '../domain/clock.ts';
import type { Message } from '../domain/message.ts';
import type { Run, RunErrorCode, RunStep, Usage } from '../domain/run.ts';
import type { RunEventName } from '../domain/run-event.ts';
import { ModelCallError, type ModelFinishReason } from '../models/language-model.ts';
import { ToolUnavailableError } from '../tools/tool-unavailable-error.ts';
import { UnavailableError } from '../domain/errors.ts';
import { RunFailure } from './run-failure.ts';
import { publicStep } from '../domain/public-step.ts';
import { textDelta } from './run-objects.ts';
import { RunOwnershipLostError, type RunWriter } from './run-writer.ts';
import { CancelRequested, HandBack } from './stop-reasons.ts';
import type { MessageClosing, TurnState } from './stream-turn.ts';

export type Ending =
  | { status: 'completed' }
  | { status: 'incomplete'; reason: 'max_prompt_tokens' | 'max_completion_tokens' }
  | { status: 'failed'; code: RunErrorCode; message: string }
  | { status: 'cancelled' };

const MESSAGE_REASON = {
  failed: 'run_failed',
  cancelled: 'run_cancelled',
  incomplete: 'max_tokens',
  completed: 'max_tokens',
} as const;

/**
 * Marks what the interrupted turn left open, in one transaction with its events: the message
 * incomplete, the steps cancelled or failed.
 */
export async function closeOpenWork(
  writer: RunWriter,
  projectId: string,
  state: TurnState,
  ending: Ending,
  include: readonly string[] = [],
): Promise<void> {
  const now = nowSeconds();
  state.reasoning?.close('incomplete');
  state.reasoning = undefined;
  const updateMessages: Message[] = [];
  const updateSteps: RunStep[] = [];
  const events: Array<{ event: RunEventName; data: unknown }> = [];
  if (state.message) {
    // What was held back goes out first, so the deltas still add up to the stored message.
    const rest = state.textStream?.end();
    if (rest)
      events.push({ event: 'thread.message.delta', data: textDelta(state.message.id, rest) });
    const annotations = state.textStream?.annotations ?? [];
    const message: Message = {
      ...state.message,
      status: 'incomplete',
      content: state.text ? [{ type: 'text', text: { value: state.text, annotations } }] : [],
      incomplete_at: now,
      incomplete_details: { reason: MESSAGE_REASON[ending.status] },
    };
    updateMessages.push(message);
    events.push({ event: 'thread.message.incomplete', data: message });
  }
  for (const open of [state.messageStep, state.toolStep]) {
    if (!open) continue;
    const step = endStep(open, ending, now);
    updateSteps.push(step);
    events.push({
      event:
        step.status === 'cancelled'
          ? 'thread.run.step.cancelled'
          : step.status === 'failed'
            ? 'thread.run.step.failed'
            : 'thread.run.step.completed',
      data: publicStep(step, include),
    });
  }
  state.messageClosed();
  state.toolStep = undefined;
  if (events.length === 0) return;
  await writer.commit({ updateMessages, updateSteps }, events);
}

export function endStep(step: RunStep, ending: Ending, now = nowSeconds()): RunStep {
  if (ending.status === 'cancelled') return { ...step, status: 'cancelled', cancelled_at: now };
  if (ending.status === 'failed') {
    const code = ending.code === 'rate_limit_exceeded' ? 'rate_limit_exceeded' : 'server_error';
    return {
      ...step,
      status: 'failed',
      failed_at: now,
      last_error: { code, message: ending.message },
    };
  }
  return { ...step, status: 'completed', completed_at: now };
}

/** The run object after it ends in `ending`. */
export function endedRun(run: Run, ending: Ending, usage: Usage): Run {
  const now = nowSeconds();
  const base: Run = {
    ...run,
    status: ending.status,
    required_action: null,
    expires_at: null,
    usage,
  };
  switch (ending.status) {
    case 'completed':
      return { ...base, completed_at: now };
    case 'incomplete':
      return { ...base, incomplete_details: { reason: ending.reason } };
    case 'failed':
      return {
        ...base,
        failed_at: now,
        last_error: { code: ending.code, message: ending.message },
      };
    case 'cancelled':
      return { ...base, cancelled_at: now };
  }
}

/**
 * Ends the run in `ending`. An answer's `closing` (its message and step) is stored in the transaction
 * of the final status; whatever else is open is closed first, as the ending calls for.
 */
export async function endRun(
  writer: RunWriter,
  projectId: string,
  state: TurnState,
  ending: Ending,
  usage: Usage,
  include: readonly string[] = [],
  closing?: MessageClosing,
): Promise<void> {
  // A failed final write poisons the writer (it writes nothing more), so the message need not stay open.
  if (closing) state.messageClosed();
  await closeOpenWork(writer, projectId, state, ending, include);
  if (ending.status === 'cancelled') {
    // The API node moved the run to `cancelling` without an event (the worker owns the event log):
    // announce it here, before `cancelled`.
    const current = await writer.refresh();
    if (current.status === 'in_progress') {
      await writer.transition({ ...current, status: 'cancelling' }, [
        { event: 'thread.run.cancelling', data: { ...current, status: 'cancelling' } },
      ]);
    } else if (current.status === 'cancelling') {
      writer.emit('thread.run.cancelling', current);
    }
  }
  const ended = endedRun(writer.run, ending, usage);
  await writer.transition(
    ended,
    [...(closing?.events ?? []), { event: `thread.run.${ending.status}`, data: ended }],
    closing?.writes,
  );
}

/** How a run ends when the model answered: completed, or incomplete when it hit `max_completion_tokens`. */
export function answerEnding(finishReason: ModelFinishReason, run: Run): Ending {
  return finishReason === 'length' && run.max_completion_tokens !== null
    ? { status: 'incomplete', reason: 'max_completion_tokens' }
    : { status: 'completed' };
}

/**
 * The ending `error` calls for (the failure table in docs/architecture.md), or undefined when the run
 * was handed back and stays as it is.
 */
export function endingFor(error: unknown, signal: AbortSignal): Ending | undefined {
  if (signal.aborted && signal.reason instanceof CancelRequested) return { status: 'cancelled' };
  if (signal.aborted && signal.reason instanceof HandBack) return undefined;
  if (error instanceof RunFailure) {
    return error.outcome.status === 'failed'
      ? { status: 'failed', code: error.outcome.code, message: error.message }
      : { status: 'incomplete', reason: error.outcome.reason };
  }
  if (error instanceof ModelCallError)
    return { status: 'failed', code: error.code, message: error.message };
  if (error instanceof ToolUnavailableError)
    return { status: 'failed', code: 'server_error', message: error.message };
  // A dependency down for now (the file storage, while reading an input file's bytes): its words.
  if (error instanceof UnavailableError)
    return { status: 'failed', code: 'server_error', message: error.message };
  return {
    status: 'failed',
    code: 'server_error',
    message: 'The server had an error while running this run.',
  };
}

export interface StoppedRun {
  writer: RunWriter;
  projectId: string;
  state: TurnState;
  signal: AbortSignal;
  include: readonly string[];
  /** The run's usage so far. */
  usage(): Usage;
  log: { error(object: object, message: string): void };
}

/**
 * Ends a run that `error` stopped, as `endingFor` says. A run another node changed is left alone,
 * unless the change was a cancel request; a run handed back keeps its status, its events flushed.
 */
export async function endAfterError(run: StoppedRun, error: unknown): Promise<void> {
  const { writer } = run;
  let ending = endingFor(error, run.signal);
  if (error instanceof RunOwnershipLostError) {
    // Another node changed the run: only a cancel request leaves it ours to finish.
    const current = await writer.refresh().catch(() => undefined);
    if (current?.status !== 'cancelling') return;
    ending = { status: 'cancelled' };
  }
  if (!ending) {
    await writer.flush().catch(() => {});
    return;
  }
  if (
    ending.status === 'failed' &&
    !(error instanceof RunFailure) &&
    !(error instanceof ModelCallError)
  ) {
    run.log.error({ err: error, runId: writer.run.id }, 'run failed with an unexpected error');
  }
  try {
    await endRun(writer, run.projectId, run.state, ending, run.usage(), run.include);
  } catch (endError) {
    if (!(endError instanceof RunOwnershipLostError))
      run.log.error({ err: endError, runId: writer.run.id }, 'could not end the run');
  }
}
