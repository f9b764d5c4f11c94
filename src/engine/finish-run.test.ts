/**
 * Ending a run: what a turn left open is closed as the ending says (a cancelled run's partial message is
 * incomplete with `run_cancelled`, its step cancelled), held-back text goes out before the message is
 * closed, and a cancel the API node wrote silently is announced before `cancelled`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngineStore,
  insertTestRun,
  newThread,
  PROJECT,
  storedEventNames,
  testRun,
  testWriter,
  WORKER,
} from '../../test/helpers/engine-fixtures.ts';
import type { Run, RunStep } from '../domain/run.ts';
import type { Store } from '../storage/store.ts';
import { AnnotatedTextStream } from './annotated-text-stream.ts';
import { endedRun, endRun, endStep } from './finish-run.ts';
import { collectRunSources } from './message-annotations.ts';
import { newAssistantMessage, newStep, textDelta } from './run-objects.ts';
import { TurnState } from './stream-turn.ts';

const USAGE = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };

describe('finish-run', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createEngineStore();
  });
  afterAll(() => store.close());

  it('shapes the ended run for each ending', () => {
    const run = testRun('thread_x', {
      status: 'in_progress',
      expires_at: 10,
      required_action: {
        type: 'submit_tool_outputs',
        submit_tool_outputs: { tool_calls: [] },
      },
    });
    const completed = endedRun(run, { status: 'completed' }, USAGE);
    expect(completed).toMatchObject({ status: 'completed', usage: USAGE, expires_at: null });
    expect(completed.required_action).toBeNull();
    expect(completed.completed_at).toBeTypeOf('number');
    expect(
      endedRun(run, { status: 'incomplete', reason: 'max_prompt_tokens' }, USAGE),
    ).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_prompt_tokens' } });
    const failed = endedRun(
      run,
      { status: 'failed', code: 'rate_limit_exceeded', message: 'slow down' },
      USAGE,
    );
    expect(failed).toMatchObject({
      status: 'failed',
      last_error: { code: 'rate_limit_exceeded', message: 'slow down' },
    });
    expect(failed.failed_at).toBeTypeOf('number');
    expect(endedRun(run, { status: 'cancelled' }, USAGE).cancelled_at).toBeTypeOf('number');
  });

  it('fails a step with the step’s own error codes (rate_limit_exceeded or server_error)', () => {
    const step = newStep(testRun('thread_x'), { type: 'tool_calls', tool_calls: [] });
    expect(
      endStep(step, { status: 'failed', code: 'invalid_prompt', message: 'too long' }, 5),
    ).toMatchObject({
      status: 'failed',
      failed_at: 5,
      last_error: { code: 'server_error', message: 'too long' },
    });
    expect(
      endStep(step, { status: 'failed', code: 'rate_limit_exceeded', message: 'later' }, 5)
        .last_error?.code,
    ).toBe('rate_limit_exceeded');
    expect(endStep(step, { status: 'cancelled' }, 5)).toMatchObject({
      status: 'cancelled',
      cancelled_at: 5,
    });
    expect(
      endStep(step, { status: 'incomplete', reason: 'max_completion_tokens' }, 5),
    ).toMatchObject({ status: 'completed', completed_at: 5 });
  });

  async function openTurn(run: Run) {
    const { writer, bus } = await testWriter(store, run);
    const state = new TurnState();
    const message = newAssistantMessage(run);
    const messageStep = newStep(run, {
      type: 'message_creation',
      message_creation: { message_id: message.id },
    });
    await store.messages.insert(PROJECT, message);
    await store.runSteps.insert(PROJECT, messageStep);
    state.message = message;
    state.messageStep = messageStep;
    state.textStream = new AnnotatedTextStream(collectRunSources([]));
    return { writer, bus, state, message, messageStep };
  }

  it('cancels mid-answer: the partial message is incomplete, its step cancelled, then cancelling → cancelled', async () => {
    const run = testRun(await newThread(store), { status: 'in_progress', started_at: 1 });
    await insertTestRun(store, run, WORKER);
    const { writer, state, message, messageStep } = await openTurn(run);
    // A citation marker may be starting: the stream holds it back.
    const released = state.textStream!.push('Half an ans【');
    writer.emit('thread.message.delta', textDelta(message.id, released!));
    // The API node moved the run to cancelling, without an event.
    await store.runs.compareAndSet(PROJECT, { ...run, status: 'cancelling' }, 'in_progress', []);
    await writer.refresh();

    await endRun(writer, PROJECT, state, { status: 'cancelled' }, USAGE);

    const stored = (await store.messages.find(PROJECT, message.id))!;
    expect(stored).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'run_cancelled' },
    });
    expect(stored.content).toEqual([
      { type: 'text', text: { value: 'Half an ans【', annotations: [] } },
    ]);
    const steps = await store.runSteps.listAll(PROJECT, run.id);
    expect(steps.map(({ step }) => [step.id, step.status])).toEqual([
      [messageStep.id, 'cancelled'],
    ]);
    expect(await store.runs.find(PROJECT, run.id)).toMatchObject({
      status: 'cancelled',
      usage: USAGE,
    });
    const names = await storedEventNames(store, run.id, 2);
    expect(names.at(-4)).toBe('thread.message.incomplete');
    expect(names.slice(-3)).toEqual([
      'thread.run.step.cancelled',
      'thread.run.cancelling',
      'thread.run.cancelled',
    ]);
    // The held-back text went out as a delta before the message was closed.
    const deltas = (await store.runEvents.listAfter(run.id, 2, 100)).filter(
      (event) => event.event === 'thread.message.delta',
    );
    expect(deltas.map((event) => JSON.parse(event.data).delta.content[0].text.value)).toEqual([
      'Half an ans',
      '【',
    ]);
    expect(state.message).toBeUndefined();
    expect(state.messageStep).toBeUndefined();
  });

  it('moves an in-progress run through cancelling when the cancel came from this worker', async () => {
    const run = testRun(await newThread(store), { status: 'in_progress', started_at: 1 });
    await insertTestRun(store, run, WORKER);
    const { writer, bus } = await testWriter(store, run);
    await endRun(writer, PROJECT, new TurnState(), { status: 'cancelled' }, USAGE);
    expect(bus.published.map((event) => event.event)).toEqual([
      'thread.run.cancelling',
      'thread.run.cancelled',
    ]);
    expect((await store.runs.find(PROJECT, run.id))?.status).toBe('cancelled');
  });

  it('fails an open tool step with the run and stores the failure on both', async () => {
    const run = testRun(await newThread(store), { status: 'in_progress', started_at: 1 });
    await insertTestRun(store, run, WORKER);
    const { writer } = await testWriter(store, run);
    const state = new TurnState();
    const toolStep: RunStep = newStep(run, { type: 'tool_calls', tool_calls: [] });
    await store.runSteps.insert(PROJECT, toolStep, { calls: [] });
    state.toolStep = toolStep;
    const ending = { status: 'failed', code: 'server_error', message: 'boom' } as const;
    await endRun(writer, PROJECT, state, ending, USAGE);
    expect((await store.runSteps.find(PROJECT, run.id, toolStep.id))?.status).toBe('failed');
    expect(await store.runs.find(PROJECT, run.id)).toMatchObject({
      status: 'failed',
      last_error: { code: 'server_error', message: 'boom' },
    });
    expect((await storedEventNames(store, run.id, 2)).slice(-2)).toEqual([
      'thread.run.step.failed',
      'thread.run.failed',
    ]);
  });
});
