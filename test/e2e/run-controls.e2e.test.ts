/** Cancel in every state (the upstream call is aborted mid-stream), and one active run per thread. */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRunTestBed,
  waitForRun,
  weatherTool,
  type RunTestBed,
} from '../helpers/run-test-bed.ts';
import { testDatabases } from '../helpers/databases.ts';

describe('run controls with the official SDK', () => {
  let bed: RunTestBed;
  let assistantId: string;

  beforeAll(async () => {
    bed = await createRunTestBed();
    assistantId = (
      await bed.client.beta.assistants.create({ model: 'gpt-4o', tools: [weatherTool] })
    ).id;
  });
  afterAll(() => bed.close());

  it('cancels mid-stream: the upstream request is aborted, the message is left incomplete, the run ends cancelled', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Tell me a long story' }],
    });
    bed.upstream.enqueue({ text: 'word '.repeat(200), chunkDelayMs: 20 });
    const stream = bed.client.beta.threads.runs.stream(thread.id, { assistant_id: assistantId });
    const events: string[] = [];
    stream.on('event', (event) => events.push(event.event));
    let cancelled = false;
    stream.on('textDelta', () => {
      if (cancelled) return;
      cancelled = true;
      void bed.client.beta.threads.runs.cancel(stream.currentRun()!.id, { thread_id: thread.id });
    });
    const final = await stream.finalRun();
    expect(final.status).toBe('cancelled');
    expect(final.cancelled_at).toEqual(expect.any(Number));
    expect(events.slice(-4)).toEqual([
      'thread.message.incomplete',
      'thread.run.step.cancelled',
      'thread.run.cancelling',
      'thread.run.cancelled',
    ]);

    const message = (await bed.client.beta.threads.messages.list(thread.id, { run_id: final.id }))
      .data[0]!;
    expect(message).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'run_cancelled' },
    });
    const text = (message.content[0] as { text: { value: string } }).text.value;
    expect(text.length).toBeGreaterThan(0);
    expect(text.length).toBeLessThan('word '.repeat(200).length);
    const steps = await bed.client.beta.threads.runs.steps.list(final.id, { thread_id: thread.id });
    expect(steps.data[0]).toMatchObject({ status: 'cancelled', cancelled_at: expect.any(Number) });
    // The upstream request was aborted: the scripted model saw its client go away before the end.
    expect(bed.upstream.abortedResponses).toBe(1);
    await expect(
      bed.client.beta.threads.runs.cancel(final.id, { thread_id: thread.id }),
    ).rejects.toThrow(/Cannot cancel run with status 'cancelled'/);
  });

  it('cancels a run waiting for tool outputs, and a queued run', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'x' }],
    });
    bed.upstream.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Lima' } }] });
    const waiting = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId },
      { pollIntervalMs: 20 },
    );
    expect(waiting.status).toBe('requires_action');
    const cancelled = await bed.client.beta.threads.runs.cancel(waiting.id, {
      thread_id: thread.id,
    });
    expect(cancelled).toMatchObject({ status: 'cancelled', required_action: null });
    const steps = await bed.client.beta.threads.runs.steps.list(waiting.id, {
      thread_id: thread.id,
    });
    expect(steps.data[0]!.status).toBe('cancelled');

    // A run whose worker is busy stays queued until cancelled.
    const busy = await createRunTestBed({ config: { worker: false } });
    try {
      const assistant = await busy.client.beta.assistants.create({ model: 'gpt-4o' });
      const idle = await busy.client.beta.threads.create({
        messages: [{ role: 'user', content: 'x' }],
      });
      const queued = await busy.client.beta.threads.runs.create(idle.id, {
        assistant_id: assistant.id,
      });
      expect(queued.status).toBe('queued');
      const stopped = await busy.client.beta.threads.runs.cancel(queued.id, { thread_id: idle.id });
      expect(stopped.status).toBe('cancelled');
    } finally {
      await busy.close();
    }
  });

  it('allows one active run per thread and no new messages while it is active', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'x' }],
    });
    bed.upstream.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Quito' } }] });
    const active = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId },
      { pollIntervalMs: 20 },
    );
    expect(active.status).toBe('requires_action');

    const second = await bed.client.beta.threads.runs
      .create(thread.id, { assistant_id: assistantId })
      .catch((error) => error);
    expect(second).toBeInstanceOf(OpenAI.BadRequestError);
    expect(second.error.message).toBe(
      `Thread ${thread.id} already has an active run ${active.id}.`,
    );
    const message = await bed.client.beta.threads.messages
      .create(thread.id, { role: 'user', content: 'more' })
      .catch((error) => error);
    expect(message).toBeInstanceOf(OpenAI.BadRequestError);
    expect(message.error.message).toBe(
      `Can't add messages to ${thread.id} while a run ${active.id} is active.`,
    );
    const streamed = await bed.client.beta.threads.runs
      .create(thread.id, { assistant_id: assistantId, stream: true })
      .catch((error) => error);
    expect(streamed).toBeInstanceOf(OpenAI.BadRequestError);

    await bed.client.beta.threads.runs.cancel(active.id, { thread_id: thread.id });
    expect(
      (
        await bed.client.beta.threads.messages.create(thread.id, {
          role: 'user',
          content: 'now fine',
        })
      ).role,
    ).toBe('user');
  });

  it('refuses concurrent run creation on one thread: exactly one wins', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'x' }],
    });
    // The first run stays active until every create has been answered, even on a loaded machine.
    bed.upstream.respondWith(() => ({ text: 'done', delayMs: 1500 }));
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        bed.client.beta.threads.runs.create(thread.id, { assistant_id: assistantId, tools: [] }),
      ),
    );
    const won = attempts.filter((attempt) => attempt.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const refusals = attempts.filter(
      (attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected',
    );
    expect(refusals.every((attempt) => attempt.reason instanceof OpenAI.BadRequestError)).toBe(
      true,
    );
    const run = (won[0] as PromiseFulfilledResult<OpenAI.Beta.Threads.Run>).value;
    expect(
      (await waitForRun(bed.client, thread.id, run.id, (current) => current.status === 'completed'))
        .status,
    ).toBe('completed');
  });
});

describe.each(testDatabases)('parallel run creations on one thread (%s)', (database) => {
  let bed: RunTestBed;
  let assistantId: string;

  beforeAll(async () => {
    bed = await createRunTestBed({ database });
    assistantId = (
      await bed.client.beta.assistants.create({ model: 'gpt-4o', tools: [weatherTool] })
    ).id;
  });
  afterAll(() => bed.close());

  it('one creation wins; the others answer the active-run 400 and store none of their messages', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'x' }],
    });
    // The winner waits for tool outputs: it stays active while the others try.
    bed.upstream.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Quito' } }] });
    const attempts = await Promise.allSettled(
      ['a', 'b', 'c', 'd'].map((content) =>
        bed.client.beta.threads.runs.create(thread.id, {
          assistant_id: assistantId,
          additional_messages: [{ role: 'user', content }],
        }),
      ),
    );
    const won = attempts.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(won).toHaveLength(1);
    const refused = attempts.flatMap((result) =>
      result.status === 'rejected' ? [result.reason as InstanceType<typeof OpenAI.APIError>] : [],
    );
    expect(refused.map((error) => error.status)).toEqual([400, 400, 400]);
    for (const error of refused)
      expect(error.message).toMatch(
        new RegExp(`^400 Thread ${thread.id} already has an active run( ${won[0]!.id})?\\.$`),
      );
    // Only the winner's message joined the thread.
    const messages = await bed.client.beta.threads.messages.list(thread.id, { order: 'asc' });
    expect(messages.data).toHaveLength(2);
    const run = await waitForRun(
      bed.client,
      thread.id,
      won[0]!.id,
      (current) => current.status === 'requires_action',
    );
    await bed.client.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
  });
});
