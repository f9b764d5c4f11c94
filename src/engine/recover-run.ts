/**
 * Phase: take over a run whose worker died mid-turn. Steps it left in progress are marked failed
 * (truthfully: the worker stopped) and the partial message of an interrupted message step is deleted,
 * so the repeated turn does not leave the thread with two answers.
 */
import { nowSeconds } from '../domain/clock.ts';
import type { RunStep } from '../domain/run.ts';
import type { Store } from '../storage/store.ts';
import { isResumable } from './run-tools.ts';
import type { RunWriter } from './run-writer.ts';

export async function recoverInterruptedSteps(
  store: Store,
  writer: RunWriter,
  projectId: string,
): Promise<number> {
  const steps = await store.runSteps.listAll(projectId, writer.run.id);
  let recovered = 0;
  for (const { step, transcript } of steps) {
    // A step waiting on answered approvals is not interrupted: the executor resumes it.
    if (step.status !== 'in_progress' || isResumable(transcript)) continue;
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
      if (step.step_details.type === 'message_creation')
        await store.messages.delete(projectId, step.step_details.message_creation.message_id);
      await store.runSteps.update(projectId, failed);
    });
    writer.emit('thread.run.step.failed', failed);
    recovered++;
  }
  return recovered;
}
