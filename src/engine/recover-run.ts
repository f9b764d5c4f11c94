/**
 * Phase: start a claimed run, or take over one whose worker died mid-turn. A tool_calls step whose
 * model output was recorded continues where it stood (`isResumable`): calls with outputs keep them,
 * the others are settled again, each tool deciding what a repeat means (docs/architecture.md, "Taking
 * over a run"); a service agent's call goes on from its action, so nothing is proposed or paid twice.
 * Any other step left in progress (the model was still streaming) is marked failed (truthfully: the
 * worker stopped), the partial message of an interrupted message step is deleted, and the turn is
 * run again, so the thread does not get two answers. A run whose answer was written but which was
 * not ended yet is ended without a second answer.
 */
import { nowSeconds } from '../domain/clock.ts';
import type { Run, RunStep } from '../domain/run.ts';
import { endRun } from './finish-run.ts';
import type { RunContext } from './run-context.ts';
import type { RunSession } from './run-session.ts';
import { isResumable, settleTools } from './run-tools.ts';
import { runUsage } from './run-usage.ts';
import type { RunWriter } from './run-writer.ts';
import { CancelRequested } from './stop-reasons.ts';

/** Moves a queued run to `in_progress`, or recovers a run taken over in progress. */
export async function startRun(context: RunContext, writer: RunWriter): Promise<void> {
  if (writer.run.status === 'cancelling') throw new CancelRequested();
  if (writer.run.status === 'queued') {
    const started: Run = {
      ...writer.run,
      status: 'in_progress',
      started_at: writer.run.started_at ?? nowSeconds(),
    };
    await writer.transition(started, [{ event: 'thread.run.in_progress', data: started }]);
    return;
  }
  await recoverInterruptedSteps(context, writer);
}

/** Fails the steps an earlier worker left in progress; returns how many. */
export async function recoverInterruptedSteps(
  context: RunContext,
  writer: RunWriter,
): Promise<number> {
  const { store } = context;
  const projectId = context.projectId;
  let recovered = 0;
  for (const { step, transcript } of context.steps) {
    // A step whose calls are recorded is not repeated: `resumeRun` settles it.
    if (step.status !== 'in_progress' || isResumable(step, transcript)) continue;
    const failed: RunStep = {
      ...step,
      status: 'failed',
      failed_at: nowSeconds(),
      last_error: {
        code: 'server_error',
        message: 'The worker running this step stopped before it finished; the turn was run again.',
      },
    };
    await writer.write(async () => {
      // The step first: its update is made only while this worker holds the run (see RunContext).
      await store.runSteps.update(projectId, failed);
      if (step.step_details.type === 'message_creation')
        await store.messages.delete(projectId, step.step_details.message_creation.message_id);
    });
    writer.emit('thread.run.step.failed', failed);
    recovered++;
  }
  return recovered;
}

/**
 * Continues what the run's earlier executions left: settles a tool_calls step left in progress (its
 * approvals answered, or its worker stopped while settling it), or ends a run whose answer is
 * already written. Returns whether the run is done here (paused or ended) or goes on to its next
 * model turn.
 */
export async function resumeRun(session: RunSession): Promise<'done' | 'continue'> {
  const { context, writer } = session;
  const pending = context.steps.find(({ step, transcript }) => isResumable(step, transcript));
  if (pending) {
    await context.readMessages();
    const settled = await settleTools(session, pending.step, pending.transcript!, true);
    return settled === 'paused' ? 'done' : 'continue';
  }
  // Taken over after the answer was written but before the run ended: end it, without a second
  // answer. (With max_completion_tokens the ending depends on the finish reason; that run repeats
  // its turn, as before.)
  const last = context.steps.at(-1)?.step;
  if (
    last?.type === 'message_creation' &&
    last.status === 'completed' &&
    writer.run.max_completion_tokens === null
  ) {
    await endRun(
      writer,
      context.projectId,
      session.state,
      { status: 'completed' },
      runUsage(context.steps),
      session.record.options.include,
    );
    return 'done';
  }
  return 'continue';
}
