/**
 * The Responses API on the run engine, driven by the official SDK against a listening server and a
 * scripted model: create, stream (order, gap-free sequence numbers, finalResponse), function calls
 * chained by previous_response_id, background with retrieve and cancel, stream resume, store: false,
 * input_items pagination, and the 400s/404s. SQLite, and PostgreSQL when reachable.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT_ID } from '../../src/domain/project.ts';
import { testDatabases } from '../helpers/databases.ts';
import { useRunTestBed } from '../helpers/run-test-bed.ts';

const weather = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still waiting: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

describe.each(testDatabases)('the Responses API with the official SDK (%s)', (database) => {
  const bed = useRunTestBed({ database });

  it('creates a response and answers the completed object', async () => {
    bed.upstream.enqueue({
      text: 'Hello there!',
      usage: { prompt_tokens: 12, completion_tokens: 3 },
    });
    const response = await bed.client.responses.create({
      model: 'gpt-4o',
      instructions: 'Be brief.',
      input: 'Say hello',
      metadata: { purpose: 'test' },
    });
    expect(response.status).toBe('completed');
    expect(response.id).toMatch(/^resp_/);
    expect(response.output_text).toBe('Hello there!');
    expect(response.output).toHaveLength(1);
    expect(response.output[0]).toMatchObject({
      type: 'message',
      role: 'assistant',
      status: 'completed',
    });
    expect(response.usage).toEqual({
      input_tokens: 12,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 3,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 15,
    });
    expect(response.metadata).toEqual({ purpose: 'test' });
    const sent = bed.upstream.lastRequest;
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello' },
    ]);
    const retrieved = await bed.client.responses.retrieve(response.id);
    expect(retrieved).toEqual(response);
  });

  it('streams the events in order with gap-free sequence numbers, and finalResponse() is the stored object', async () => {
    bed.upstream.enqueue({
      text: 'One two three',
      usage: { prompt_tokens: 5, completion_tokens: 3 },
    });
    const stream = bed.client.responses.stream({ model: 'gpt-4o', input: 'Count' });
    const events: any[] = [];
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('response.created');
    expect(types[1]).toBe('response.in_progress');
    expect(types.filter((type) => type !== 'response.output_text.delta')).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const deltas = events.filter((event) => event.type === 'response.output_text.delta');
    expect(deltas.map((event) => event.delta).join('')).toBe('One two three');
    expect(final.output_text).toBe('One two three');
    expect(final.status).toBe('completed');
    const stored = await bed.client.responses.retrieve(final.id);
    expect(stored.output_text).toBe(final.output_text);
    expect(stored.output.map((item) => item.id)).toEqual(final.output.map((item) => item.id));
    expect(stored.usage?.total_tokens).toBe(8);
  });

  it('chains a function call and its output through previous_response_id, continuing the paused run', async () => {
    bed.upstream.enqueue(
      {
        toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' }, id: 'call_paris' }],
        usage: { prompt_tokens: 30, completion_tokens: 10 },
      },
      { text: 'It is sunny in Paris.', usage: { prompt_tokens: 50, completion_tokens: 6 } },
      { text: 'You asked about Paris.', usage: { prompt_tokens: 70, completion_tokens: 5 } },
    );
    const first = await bed.client.responses.create({
      model: 'gpt-4o',
      input: 'Weather in Paris?',
      tools: [weather],
    });
    expect(first.status).toBe('completed');
    expect(first.output).toEqual([
      expect.objectContaining({
        type: 'function_call',
        call_id: 'call_paris',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
        status: 'completed',
      }),
    ]);
    expect(bed.upstream.lastRequest.tools.map((tool: any) => tool.function.name)).toEqual([
      'get_weather',
    ]);

    const second = await bed.client.responses.create({
      model: 'gpt-4o',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: 'call_paris', output: '22C and sunny' }],
      tools: [weather],
    });
    expect(second.status).toBe('completed');
    expect(second.output_text).toBe('It is sunny in Paris.');
    expect(second.previous_response_id).toBe(first.id);
    expect(second.usage?.input_tokens).toBe(50);
    // The model saw the call and its output.
    const seen = bed.upstream.lastRequest.messages;
    expect(seen[0]).toEqual({ role: 'user', content: 'Weather in Paris?' });
    expect(seen[1]).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: 'call_paris', function: { name: 'get_weather' } }],
    });
    expect(seen[2]).toEqual({ role: 'tool', tool_call_id: 'call_paris', content: '22C and sunny' });

    // A third response forks a new run whose history is the whole chain.
    const third = await bed.client.responses.create({
      model: 'gpt-4o',
      previous_response_id: second.id,
      input: 'What did I ask?',
    });
    expect(third.output_text).toBe('You asked about Paris.');
    const history = bed.upstream.lastRequest.messages;
    expect(history.map((message: any) => message.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'user',
    ]);
    expect(history[3]).toEqual({ role: 'assistant', content: 'It is sunny in Paris.' });
    expect(history[4]).toEqual({ role: 'user', content: 'What did I ask?' });
  });

  it('continues a paused run once when two responses answer its call at the same time', async () => {
    bed.upstream.enqueue({
      toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' }, id: 'call_oslo' }],
      usage: { prompt_tokens: 10, completion_tokens: 5 },
    });
    const first = await bed.client.responses.create({
      model: 'gpt-4o',
      input: 'Weather in Oslo?',
      tools: [weather],
    });
    bed.upstream.respondWith(() => ({ text: 'Cold in Oslo.' }));
    const answer = () =>
      bed.client.responses.create({
        model: 'gpt-4o',
        previous_response_id: first.id,
        input: [{ type: 'function_call_output', call_id: 'call_oslo', output: '-5C' }],
      });
    const results = await Promise.allSettled([answer(), answer()]);
    const answered = results.flatMap((result) =>
      result.status === 'fulfilled' ? [result.value] : [],
    );
    const refused = results.flatMap((result) =>
      result.status === 'rejected' ? [result.reason] : [],
    );
    expect(answered.length).toBeGreaterThanOrEqual(1);
    for (const error of refused) expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    for (const response of answered) {
      expect(response.status).toBe('completed');
      expect(response.output_text).toBe('Cold in Oslo.');
      const stored = await bed.client.responses.retrieve(response.id);
      expect(stored.status).toBe('completed');
      expect(stored.output_text).toBe('Cold in Oslo.');
    }
    expect((await bed.client.responses.retrieve(first.id)).output[0]?.type).toBe('function_call');
  });

  it('refuses an output for an unknown call, an unknown previous response and bad fields by name', async () => {
    const unknown = await bed.client.responses
      .create({ model: 'gpt-4o', previous_response_id: 'resp_doesnotexist', input: 'hi' })
      .catch((error) => error);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown.error.param).toBe('previous_response_id');

    const orphan = await bed.client.responses
      .create({
        model: 'gpt-4o',
        input: [{ type: 'function_call_output', call_id: 'call_nowhere', output: 'x' }],
      })
      .catch((error) => error);
    expect(orphan).toBeInstanceOf(OpenAI.BadRequestError);
    expect(orphan.error.param).toBe('input[0].call_id');

    const badTemperature = await bed.client.responses
      .create({ model: 'gpt-4o', input: 'hi', temperature: 7 })
      .catch((error) => error);
    expect(badTemperature).toBeInstanceOf(OpenAI.BadRequestError);
    expect(badTemperature.error.param).toBe('temperature');

    const backgroundUnstored = await bed.client.responses
      .create({ model: 'gpt-4o', input: 'hi', background: true, store: false })
      .catch((error) => error);
    expect(backgroundUnstored).toBeInstanceOf(OpenAI.BadRequestError);
    expect(backgroundUnstored.error.param).toBe('background');

    // An id inside a tool or an input part that the project does not have: 404 naming it.
    const requests = bed.upstream.requests.length;
    const unknownIds: Array<[Partial<OpenAI.Responses.ResponseCreateParamsNonStreaming>, string]> =
      [
        [
          { tools: [{ type: 'file_search', vector_store_ids: ['vs_doesnotexist'] }] },
          'tools[0].vector_store_ids',
        ],
        [
          {
            tools: [
              { type: 'service_agent', service_agent: { id: 'sa_doesnotexist' } },
            ] as unknown as OpenAI.Responses.Tool[],
          },
          'tools[0].service_agent.id',
        ],
        [
          {
            input: [
              {
                role: 'user',
                content: [
                  { type: 'input_text', text: 'Look' },
                  { type: 'input_image', file_id: 'file-doesnotexist', detail: 'auto' },
                ],
              },
            ],
          },
          'input[0].content[1].file_id',
        ],
      ];
    for (const [fields, param] of unknownIds) {
      const error = await bed.client.responses
        .create({ model: 'gpt-4o', input: 'hi', ...fields })
        .catch((caught) => caught);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error.error.param).toBe(param);
    }
    expect(bed.upstream.requests.length).toBe(requests);

    const missing = await bed.client.responses.retrieve('resp_missing').catch((error) => error);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    const notForeground = await bed.client.responses.cancel('resp_missing').catch((error) => error);
    expect(notForeground).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('runs a background response on the worker, resumes its stream by sequence number, and cancels another', async () => {
    bed.upstream.enqueue({
      text: 'Background answer here',
      usage: { prompt_tokens: 4, completion_tokens: 3 },
    });
    const queued = await bed.client.responses.create({
      model: 'gpt-4o',
      input: 'Work in the background',
      background: true,
    });
    expect(['queued', 'in_progress']).toContain(queued.status);
    const done = await waitFor(
      () => bed.client.responses.retrieve(queued.id),
      (response) => response.status === 'completed',
    );
    expect(done.output_text).toBe('Background answer here');

    // The whole stream, then only what follows sequence number 3.
    const whole: any[] = [];
    for await (const event of await bed.client.responses.retrieve(queued.id, { stream: true }))
      whole.push(event);
    expect(whole.map((event) => event.sequence_number)).toEqual(whole.map((_, index) => index));
    expect(whole[0].type).toBe('response.created');
    expect(whole.at(-1).type).toBe('response.completed');
    const resumed: any[] = [];
    for await (const event of await bed.client.responses.retrieve(queued.id, {
      stream: true,
      starting_after: 3,
    }))
      resumed.push(event);
    expect(resumed).toEqual(whole.slice(4));

    // A background response whose model never answers is cancelled.
    bed.upstream.enqueue({ text: 'never', delayMs: 5_000 });
    const slow = await bed.client.responses.create({
      model: 'gpt-4o',
      input: 'slow',
      background: true,
    });
    await waitFor(
      () => bed.client.responses.retrieve(slow.id),
      (response) => response.status === 'in_progress',
    );
    await bed.client.responses.cancel(slow.id);
    const cancelled = await waitFor(
      () => bed.client.responses.retrieve(slow.id),
      (response) => response.status === 'cancelled',
    );
    expect(cancelled.output_text).toBe('');
    const foreground = await bed.client.responses.cancel(done.id).catch((error) => error);
    expect(foreground).toBeInstanceOf(OpenAI.BadRequestError);
  });

  it('keeps nothing of a response with store: false', async () => {
    bed.upstream.enqueue({ text: 'Ephemeral', usage: { prompt_tokens: 3, completion_tokens: 1 } });
    const response = await bed.client.responses.create({
      model: 'gpt-4o',
      input: 'hi',
      store: false,
    });
    expect(response.output_text).toBe('Ephemeral');
    expect((response as unknown as { store: boolean }).store).toBe(false);
    const gone = await bed.client.responses.retrieve(response.id).catch((error) => error);
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
    const chained = await bed.client.responses
      .create({ model: 'gpt-4o', previous_response_id: response.id, input: 'again' })
      .catch((error) => error);
    expect(chained).toBeInstanceOf(OpenAI.NotFoundError);
    expect(await bed.app.store.responses.find(DEFAULT_PROJECT_ID, response.id)).toBeUndefined();

    // Streamed, too: the stream is whole, and nothing is left once it ended.
    bed.upstream.enqueue({
      text: 'Streamed away',
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    });
    const stream = bed.client.responses.stream({ model: 'gpt-4o', input: 'hi', store: false });
    const streamed = await stream.finalResponse();
    expect(streamed.output_text).toBe('Streamed away');
    await waitFor(
      () => bed.app.store.responses.find(DEFAULT_PROJECT_ID, streamed.id),
      (record) => record === undefined,
    );
  });

  it('pages input items and deletes a response', async () => {
    bed.upstream.enqueue({ text: 'ok', usage: { prompt_tokens: 3, completion_tokens: 1 } });
    const response = await bed.client.responses.create({
      model: 'gpt-4o',
      input: [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: 'two' },
        { role: 'user', content: 'three' },
      ],
    });
    const page = await bed.client.responses.inputItems.list(response.id, { limit: 2 });
    expect(page.data.map((item: any) => item.content[0].text)).toEqual(['three', 'two']);
    expect(page.has_more).toBe(true);
    const all: string[] = [];
    for await (const item of bed.client.responses.inputItems.list(response.id, {
      limit: 1,
      order: 'asc',
    }))
      all.push((item as any).content[0].text);
    expect(all).toEqual(['one', 'two', 'three']);
    expect(bed.upstream.lastRequest.messages.map((message: any) => message.content)).toEqual([
      'one',
      'two',
      'three',
    ]);

    await bed.client.responses.delete(response.id);
    const gone = await bed.client.responses.retrieve(response.id).catch((error) => error);
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
