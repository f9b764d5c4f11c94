/**
 * A worker that dies after writing the answer but before ending the run: the next worker ends the run
 * without asking the model again, so the thread keeps one answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRunTestBed,
  waitForRun,
  weatherTool,
  type RunTestBed,
} from '../../test/helpers/run-test-bed.ts';
import { DEFAULT_PROJECT_ID } from '../domain/project.ts';
import type { Run } from '../domain/run.ts';

describe('taking over a run whose answer was already written', () => {
  let bed: RunTestBed;
  beforeAll(async () => {
    bed = await createRunTestBed();
  });
  afterAll(() => bed.close());

  it('ends the run as completed, with one assistant message and no second model call', async () => {
    bed.upstream.enqueue({ text: 'The only answer.' });
    const assistant = await bed.client.beta.assistants.create({ model: 'gpt-4o' });
    const created = await bed.client.beta.threads.createAndRun({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Hi' }] },
    });
    const finished = await waitForRun(
      bed.client,
      created.thread_id,
      created.id,
      (run) => run.status === 'completed',
    );
    const requests = bed.upstream.requests.length;

    // Put the run back where a worker that died just before ending it would have left it: in progress,
    // its message and step completed, its lease lapsed.
    const store = bed.app.store;
    const stored = (await store.runs.find(DEFAULT_PROJECT_ID, finished.id))!;
    const interrupted: Run = { ...stored, status: 'in_progress', completed_at: null, usage: null };
    expect(
      await store.runs.compareAndSet(DEFAULT_PROJECT_ID, interrupted, 'completed', []),
    ).not.toBeNull();
    bed.app.worker!.wake();

    const ended = await waitForRun(
      bed.client,
      created.thread_id,
      created.id,
      (run) => run.status === 'completed' && run.completed_at !== null,
    );
    expect(ended.status).toBe('completed');
    expect(bed.upstream.requests.length).toBe(requests);
    const messages = await bed.client.beta.threads.messages.list(created.thread_id);
    expect(
      messages.data
        .filter((message) => message.role === 'assistant')
        .map((message) => message.status),
    ).toEqual(['completed']);
    const steps = await bed.client.beta.threads.runs.steps.list(created.id, {
      thread_id: created.thread_id,
    });
    expect(steps.data.map((step) => [step.type, step.status])).toEqual([
      ['message_creation', 'completed'],
    ]);
  });
});

describe('taking over a run whose tool calls were recorded', () => {
  let bed: RunTestBed;
  beforeAll(async () => {
    bed = await createRunTestBed();
  });
  afterAll(() => bed.close());

  it('pauses again on the same function calls, without asking the model again', async () => {
    bed.upstream.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
    const assistant = await bed.client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [weatherTool],
    });
    const created = await bed.client.beta.threads.createAndRun({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Weather?' }] },
    });
    const waiting = await waitForRun(
      bed.client,
      created.thread_id,
      created.id,
      (run) => run.status === 'requires_action',
    );
    const callId = waiting.required_action!.submit_tool_outputs.tool_calls[0]!.id;
    const requests = bed.upstream.requests.length;

    // Put the run back where a worker that died after recording the model's calls, but before
    // pausing, would have left it: in progress, its tool step in progress, its lease lapsed.
    const store = bed.app.store;
    const stored = (await store.runs.find(DEFAULT_PROJECT_ID, created.id))!;
    const interrupted: Run = { ...stored, status: 'in_progress', required_action: null };
    expect(
      await store.runs.compareAndSet(DEFAULT_PROJECT_ID, interrupted, 'requires_action', []),
    ).not.toBeNull();
    bed.app.worker!.wake();

    const again = await waitForRun(
      bed.client,
      created.thread_id,
      created.id,
      (run) => run.status === 'requires_action' && run.required_action !== null,
    );
    expect(again.required_action!.submit_tool_outputs.tool_calls.map((call) => call.id)).toEqual([
      callId,
    ]);
    expect(bed.upstream.requests.length).toBe(requests);
    const steps = await bed.client.beta.threads.runs.steps.list(created.id, {
      thread_id: created.thread_id,
    });
    expect(steps.data.map((step) => [step.type, step.status])).toEqual([
      ['tool_calls', 'in_progress'],
    ]);
  });
});
