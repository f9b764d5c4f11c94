/** Runs through the official SDK: polling, streaming (exact event order), steps, listing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../helpers/databases.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';

describe.each(testDatabases)('runs with the official SDK (%s)', (database) => {
  let bed: RunTestBed;
  let assistantId: string;

  beforeAll(async () => {
    bed = await createRunTestBed({ database });
    assistantId = (
      await bed.client.beta.assistants.create({ model: 'gpt-4o', instructions: 'You are terse.' })
    ).id;
  });
  afterAll(() => bed.close());

  it('createAndPoll: the run completes and the answer is in the thread', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    bed.upstream.enqueue({
      text: 'Hello, world!',
      usage: { prompt_tokens: 21, completion_tokens: 4 },
    });
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId },
      { pollIntervalMs: 20 },
    );
    expect(run).toMatchObject({
      object: 'thread.run',
      status: 'completed',
      thread_id: thread.id,
      assistant_id: assistantId,
      model: 'gpt-4o',
      instructions: 'You are terse.',
      required_action: null,
      last_error: null,
      expires_at: null,
      cancelled_at: null,
      failed_at: null,
      incomplete_details: null,
      usage: { prompt_tokens: 21, completion_tokens: 4, total_tokens: 25 },
      truncation_strategy: { type: 'auto', last_messages: null },
      tool_choice: 'auto',
      parallel_tool_calls: true,
      response_format: 'auto',
      temperature: 1,
      top_p: 1,
    });
    expect(run.started_at).toBeGreaterThanOrEqual(run.created_at);
    expect(run.completed_at).toBeGreaterThanOrEqual(run.started_at!);

    const messages = await bed.client.beta.threads.messages.list(thread.id, { order: 'asc' });
    expect(messages.data).toHaveLength(2);
    expect(messages.data[1]).toMatchObject({
      role: 'assistant',
      run_id: run.id,
      assistant_id: assistantId,
      status: 'completed',
    });
    expect(messages.data[1]!.content).toEqual([
      { type: 'text', text: { value: 'Hello, world!', annotations: [] } },
    ]);
    const byRun = await bed.client.beta.threads.messages.list(thread.id, { run_id: run.id });
    expect(byRun.data.map((message) => message.id)).toEqual([messages.data[1]!.id]);

    const steps = await bed.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
    expect(steps.data).toHaveLength(1);
    expect(steps.data[0]).toMatchObject({
      object: 'thread.run.step',
      type: 'message_creation',
      status: 'completed',
      run_id: run.id,
      step_details: {
        type: 'message_creation',
        message_creation: { message_id: messages.data[1]!.id },
      },
      usage: { prompt_tokens: 21, completion_tokens: 4, total_tokens: 25 },
    });
    const step = await bed.client.beta.threads.runs.steps.retrieve(steps.data[0]!.id, {
      thread_id: thread.id,
      run_id: run.id,
    });
    expect(step).toEqual(steps.data[0]);

    // What went upstream: instructions as the system message, then the thread.
    expect(bed.upstream.lastRequest.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Say hello' },
    ]);
  });

  it('stream(): AssistantStream helpers see the deltas, the message and the final run, in OpenAI’s event order', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Count' }],
    });
    bed.upstream.enqueue({ chunks: ['one', ' two', ' three'] });
    const stream = bed.client.beta.threads.runs.stream(thread.id, { assistant_id: assistantId });
    const events: string[] = [];
    const deltas: string[] = [];
    let messageDone = '';
    stream.on('event', (event) => events.push(event.event));
    stream.on('textDelta', (delta) => deltas.push(delta.value!));
    stream.on(
      'messageDone',
      (message) => (messageDone = (message.content[0] as { text: { value: string } }).text.value),
    );
    const final = await stream.finalRun();
    expect(final.status).toBe('completed');
    expect(deltas).toEqual(['one', ' two', ' three']);
    expect(messageDone).toBe('one two three');
    expect(events).toEqual([
      'thread.run.created',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.message.created',
      'thread.message.in_progress',
      'thread.message.delta',
      'thread.message.delta',
      'thread.message.delta',
      'thread.message.completed',
      'thread.run.step.completed',
      'thread.run.completed',
    ]);
    const finalMessages = await stream.finalMessages();
    expect(finalMessages).toHaveLength(1);
  });

  it('the raw stream of runs.create({stream:true}) ends with a terminal run event, and errors before it are JSON errors', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'x' }],
    });
    bed.upstream.enqueue({ text: 'ok' });
    const raw = await bed.client.beta.threads.runs.create(thread.id, {
      assistant_id: assistantId,
      stream: true,
    });
    const names: string[] = [];
    for await (const event of raw) names.push(event.event);
    expect(names.at(-1)).toBe('thread.run.completed');
    await expect(
      bed.client.beta.threads.runs.create('thread_nope', {
        assistant_id: assistantId,
        stream: true,
      }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      bed.client.beta.threads.runs.create(thread.id, { assistant_id: 'asst_nope', stream: true }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('createAndRunPoll and createAndRunStream create the thread too; thread.created comes first', async () => {
    bed.upstream.enqueue({ text: 'made a thread' });
    const run = await bed.client.beta.threads.createAndRunPoll(
      {
        assistant_id: assistantId,
        thread: { messages: [{ role: 'user', content: 'hi' }], metadata: { via: 'createAndRun' } },
      },
      { pollIntervalMs: 20 },
    );
    expect(run.status).toBe('completed');
    expect((await bed.client.beta.threads.retrieve(run.thread_id)).metadata).toEqual({
      via: 'createAndRun',
    });

    bed.upstream.enqueue({ text: 'streamed thread' });
    const stream = bed.client.beta.threads.createAndRunStream({
      assistant_id: assistantId,
      thread: { messages: [{ role: 'user', content: 'hi' }] },
    });
    const events: string[] = [];
    stream.on('event', (event) => events.push(event.event));
    const final = await stream.finalRun();
    expect(final.status).toBe('completed');
    expect(events[0]).toBe('thread.created');
    expect(events[1]).toBe('thread.run.created');
  });

  it('lists, retrieves (with a poll hint) and modifies runs', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'x' }],
    });
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      bed.upstream.enqueue({ text: `answer ${index}` });
      ids.push(
        (
          await bed.client.beta.threads.runs.createAndPoll(
            thread.id,
            { assistant_id: assistantId, metadata: { n: String(index) } },
            { pollIntervalMs: 20 },
          )
        ).id,
      );
    }
    const listed = await bed.client.beta.threads.runs.list(thread.id, { order: 'asc' });
    expect(listed.data.map((run) => run.id)).toEqual(ids);
    const { data: retrieved, response } = await bed.client.beta.threads.runs
      .retrieve(ids[0]!, { thread_id: thread.id })
      .withResponse();
    expect(response.headers.get('openai-poll-after-ms')).toMatch(/^\d+$/);
    expect(retrieved.metadata).toEqual({ n: '0' });
    const updated = await bed.client.beta.threads.runs.update(ids[0]!, {
      thread_id: thread.id,
      metadata: { n: 'zero', flag: 'y' },
    });
    expect(updated.metadata).toEqual({ n: 'zero', flag: 'y' });
    expect(updated.status).toBe('completed');
    await expect(
      bed.client.beta.threads.runs.retrieve('run_missing', { thread_id: thread.id }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('replays a run’s stored events from any seq (resumable streams)', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'x' }],
    });
    bed.upstream.enqueue({ chunks: ['a', 'b'] });
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId },
      { pollIntervalMs: 20 },
    );
    const read = async (query: string, headers: Record<string, string> = {}) => {
      const response = await fetch(
        `${bed.baseURL}/threads/${thread.id}/runs/${run.id}/events${query}`,
        { headers: { authorization: 'Bearer x', ...headers } },
      );
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const text = await response.text();
      return [...text.matchAll(/^id: (\d+)\n/gm)].map((match) => Number(match[1]));
    };
    const all = await read('');
    expect(all).toEqual(Array.from({ length: all.length }, (_, index) => index + 1));
    expect(await read('?after=5')).toEqual(all.slice(5));
    expect(await read('', { 'last-event-id': '9' })).toEqual(all.slice(9));

    // A seq past any a run can have: the query is refused, the header read as no seq (from the start).
    const past = await fetch(
      `${bed.baseURL}/threads/${thread.id}/runs/${run.id}/events?after=99999999999999999999`,
      { headers: { authorization: 'Bearer x' } },
    );
    expect(past.status).toBe(400);
    expect(((await past.json()) as { error: unknown }).error).toMatchObject({ param: 'after' });
    expect(await read('', { 'last-event-id': '1e300' })).toEqual(all);
    expect(await read('', { 'last-event-id': '99999999999999999999' })).toEqual(all);
  });
});
