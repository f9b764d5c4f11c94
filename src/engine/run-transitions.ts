/**
 * Status changes made outside the worker holding a run: by an API node (cancel, submit tool outputs)
 * or by the expiry sweeper. Each is one transaction: a compare-and-set on the status the caller saw,
 * the step updates, and the events; only the node whose write lands publishes.
 */
import { nowSeconds } from '../domain/clock.ts';
import type { Run, RunStep, StepToolCall } from '../domain/run.ts';
import type { RunEventName } from '../domain/run-event.ts';
import { assertTransition } from '../domain/run-status.ts';
import type { NewRunEvent, StepTranscript } from '../domain/run-record.ts';
import type { Store } from '../storage/store.ts';
import type { EventBus } from './event-bus.ts';
import { publicStep } from '../domain/public-step.ts';
import { usageOf } from './run-objects.ts';

type StepUpdate = { step: RunStep; transcript?: StepTranscript };

async function commit(
  store: Store,
  bus: EventBus,
  projectId: string,
  next: Run,
  expected: Run['status'],
  stepUpdates: StepUpdate[],
  events: Array<{ event: RunEventName; data: unknown }>,
  admit?: (transaction: Store) => Promise<void>,
): Promise<boolean> {
  assertTransition(expected, next.status);
  const stored = await store.transaction(async (transaction) => {
    await admit?.(transaction);
    const newEvents: NewRunEvent[] = events.map((event) => ({
      runId: next.id,
      event: event.event,
      data: JSON.stringify(event.data),
    }));
    const appended = await transaction.runs.compareAndSet(projectId, next, expected, newEvents);
    if (!appended) return null;
    for (const update of stepUpdates)
      await transaction.runSteps.update(projectId, update.step, update.transcript);
    return appended;
  });
  if (!stored) return false;
  bus.publish(stored);
  return true;
}

/** The in-progress tool step a waiting run is blocked on. */
async function waitingStep(store: Store, projectId: string, run: Run) {
  const steps = await store.runSteps.listAll(projectId, run.id);
  return steps
    .reverse()
    .find(({ step }) => step.status === 'in_progress' && step.step_details.type === 'tool_calls');
}

/** Cancels a run no worker holds (queued or waiting); false when its status moved first. */
export async function cancelIdleRun(
  store: Store,
  bus: EventBus,
  projectId: string,
  run: Run,
  include: readonly string[] = [],
): Promise<boolean> {
  const now = nowSeconds();
  const cancelled: Run = {
    ...run,
    status: 'cancelled',
    cancelled_at: now,
    required_action: null,
    expires_at: null,
  };
  const updates: StepUpdate[] = [];
  const events: Array<{ event: RunEventName; data: unknown }> = [];
  if (run.status === 'requires_action') {
    const waiting = await waitingStep(store, projectId, run);
    if (waiting) {
      const step: RunStep = { ...waiting.step, status: 'cancelled', cancelled_at: now };
      updates.push({ step });
      events.push({ event: 'thread.run.step.cancelled', data: publicStep(step, include) });
    }
  }
  events.push({ event: 'thread.run.cancelled', data: cancelled });
  return commit(store, bus, projectId, cancelled, run.status, updates, events);
}

/** Asks the worker executing a run to cancel it: `cancelling` now, `cancelled` when the worker stops it. */
export async function requestCancel(
  store: Store,
  bus: EventBus,
  projectId: string,
  run: Run,
): Promise<boolean> {
  assertTransition(run.status, 'cancelling');
  const cancelling: Run = { ...run, status: 'cancelling' };
  const moved = await store.runs.compareAndSet(projectId, cancelling, run.status, []);
  if (moved) bus.notifyCancel(run.id);
  return moved !== null;
}

/** Expires a run that waited too long (queued, or in requires_action). */
export async function expireRun(
  store: Store,
  bus: EventBus,
  projectId: string,
  run: Run,
  include: readonly string[] = [],
): Promise<boolean> {
  const now = nowSeconds();
  const expired: Run = { ...run, status: 'expired', required_action: null };
  const updates: StepUpdate[] = [];
  const events: Array<{ event: RunEventName; data: unknown }> = [];
  if (run.status === 'requires_action') {
    const waiting = await waitingStep(store, projectId, run);
    if (waiting) {
      const step: RunStep = { ...waiting.step, status: 'expired', expired_at: now };
      updates.push({ step });
      events.push({ event: 'thread.run.step.expired', data: publicStep(step, include) });
    }
  }
  events.push({ event: 'thread.run.expired', data: expired });
  return commit(store, bus, projectId, expired, run.status, updates, events);
}

export interface ToolOutput {
  tool_call_id: string;
  output: string;
}

/**
 * Records the client's tool outputs (function results and approval answers, with the key that sent
 * them) and queues the run again.
 * The waiting step completes when every call has its output; a server call that waited for an
 * approval keeps it open until the worker resumes it. Returns the queued run, or null when the run
 * moved first.
 */
export async function submitToolOutputs(
  store: Store,
  bus: EventBus,
  projectId: string,
  run: Run,
  outputs: ToolOutput[],
  include: readonly string[] = [],
  keyId: string | null = null,
  admit?: (transaction: Store) => Promise<void>,
): Promise<Run | null> {
  const waiting = await waitingStep(store, projectId, run);
  const now = nowSeconds();
  const byId = new Map(outputs.map((output) => [output.tool_call_id, output.output]));
  const updates: StepUpdate[] = [];
  const events: Array<{ event: RunEventName; data: unknown }> = [];
  if (waiting) {
    const toolCalls: StepToolCall[] = (
      waiting.step.step_details as { tool_calls: StepToolCall[] }
    ).tool_calls.map((call) =>
      call.type === 'function' && byId.has(call.id)
        ? { ...call, function: { ...call.function, output: byId.get(call.id)! } }
        : call,
    );
    const transcript: StepTranscript | undefined = waiting.transcript
      ? {
          ...waiting.transcript,
          calls: waiting.transcript.calls.map((call) => {
            if (byId.has(call.id)) return { ...call, output: byId.get(call.id)! };
            if (call.approval && byId.has(call.approval.callId))
              return {
                ...call,
                approval: { ...call.approval, output: byId.get(call.approval.callId)!, keyId },
              };
            return call;
          }),
        }
      : undefined;
    const complete = !transcript || transcript.calls.every((call) => call.output !== null);
    const usage = transcript?.usage;
    const step: RunStep = {
      ...waiting.step,
      step_details: { type: 'tool_calls', tool_calls: toolCalls },
      ...(complete
        ? {
            status: 'completed' as const,
            completed_at: now,
            usage: usage ? usageOf(usage.prompt, usage.completion) : null,
          }
        : {}),
    };
    updates.push({ step, ...(transcript ? { transcript } : {}) });
    if (complete)
      events.push({ event: 'thread.run.step.completed', data: publicStep(step, include) });
  }
  const queued: Run = { ...run, status: 'queued', required_action: null };
  events.push({ event: 'thread.run.queued', data: queued });
  const moved = await commit(
    store,
    bus,
    projectId,
    queued,
    'requires_action',
    updates,
    events,
    admit,
  );
  if (!moved) return null;
  bus.notifyRunnable();
  return queued;
}
