/**
 * Reasoning in the Responses API, driven by the official SDK against a listening server and a
 * scripted chat-completions upstream that streams `reasoning_content` (and `reasoning`) deltas and
 * reports `completion_tokens_details.reasoning_tokens`: the `reasoning` item streamed before the
 * message in OpenAI's event order, stored, retrieved and resumed identically; `reasoning.effort`
 * sent upstream; reasoning items round-tripped (previous_response_id, items sent back, the Open
 * Responses param shape, conversations) into the next prompt as `reasoning_content`; a reasoning
 * turn that calls a function; and an Assistants run on the same upstream, which shows no reasoning.
 * SQLite, and PostgreSQL when reachable.
 */
import OpenAI, { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import {
  openResponsesSpecAvailable,
  validateResponseResource,
  validateStreamEvent,
} from '../helpers/open-responses-schema.ts';
import { testDatabases } from '../helpers/databases.ts';
import { useRunTestBed } from '../helpers/run-test-bed.ts';

const checkConformance = openResponsesSpecAvailable || Boolean(process.env['CI']);

const thinking = {
  reasoning: 'The user wants a greeting. Keep it short.',
  reasoningTokens: 9,
  text: 'Hello!',
  usage: { prompt_tokens: 20, completion_tokens: 12 },
};

describe.each(testDatabases)('reasoning in the Responses API (%s)', (database) => {
  const bed = useRunTestBed({ database });

  it('streams a reasoning item before the message, stores it, and resumes identically', async () => {
    bed.upstream.enqueue(thinking);
    const stream = bed.client.responses.stream({
      model: 'gpt-4o',
      input: 'Greet me',
      reasoning: { effort: 'high' },
      include: ['reasoning.encrypted_content'],
    });
    const events: any[] = [];
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();

    expect(bed.upstream.lastRequest.reasoning_effort).toBe('high');
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const types = events
      .map((event) => event.type)
      .filter((type) => type !== 'response.output_text.delta');
    const thoughts = types.filter((type) => type === 'response.reasoning_text.delta').length;
    expect(thoughts).toBe(8); // one per word, as the upstream streamed them
    expect(types.filter((type) => type !== 'response.reasoning_text.delta')).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.reasoning_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const added = events.find((event) => event.type === 'response.output_item.added');
    expect(added.item).toEqual({
      type: 'reasoning',
      id: expect.stringMatching(/^rs_/),
      summary: [],
      content: [],
      status: 'in_progress',
    });
    const [reasoning, message] = final.output;
    expect(reasoning).toEqual({
      type: 'reasoning',
      id: added.item.id,
      summary: [],
      content: [{ type: 'reasoning_text', text: thinking.reasoning }],
      status: 'completed',
    });
    // An OpenAI-compatible upstream signs nothing: there is no encrypted content to include.
    expect(reasoning).not.toHaveProperty('encrypted_content');
    expect(message).toMatchObject({ type: 'message', status: 'completed' });
    expect(final.output_text).toBe('Hello!');
    expect(final.usage).toMatchObject({
      output_tokens: 12,
      output_tokens_details: { reasoning_tokens: 9 },
    });
    const eventErrors = (event: unknown) => (checkConformance ? validateStreamEvent(event) : []);
    expect(events.flatMap(eventErrors)).toEqual([]);
    expect(checkConformance ? validateResponseResource(final) : []).toEqual([]);

    const stored = await bed.client.responses.retrieve(final.id);
    const completed = events.at(-1).response;
    expect(stored.output).toEqual(completed.output);
    expect(stored.output[0]).toEqual(reasoning);
    expect(stored.usage).toEqual(completed.usage);
    const replayed: any[] = [];
    for await (const event of await bed.client.responses.retrieve(final.id, { stream: true }))
      replayed.push(event);
    expect(replayed).toEqual(events);
    const resumed: any[] = [];
    for await (const event of await bed.client.responses.retrieve(final.id, {
      stream: true,
      starting_after: 4,
    }))
      resumed.push(event);
    expect(resumed).toEqual(events.slice(5));
  });

  it('round-trips reasoning items into the next prompt, and accepts the Open Responses shape', async () => {
    bed.upstream.enqueue({ ...thinking, reasoningField: 'reasoning' });
    const first = await bed.client.responses.create({ model: 'gpt-4o', input: 'Greet me' });
    expect(first.output.map((item) => item.type)).toEqual(['reasoning', 'message']);

    bed.upstream.enqueue({ text: 'Again, hello.' });
    const chained = await bed.client.responses.create({
      model: 'gpt-4o',
      previous_response_id: first.id,
      input: 'Once more',
    });
    expect(chained.status).toBe('completed');
    const replayedTurn = {
      role: 'assistant',
      content: 'Hello!',
      reasoning_content: thinking.reasoning,
    };
    expect(bed.upstream.lastRequest.messages).toEqual([
      { role: 'user', content: 'Greet me' },
      replayedTurn,
      { role: 'user', content: 'Once more' },
    ]);

    // The same items sent back by a stateless client, with a reasoning item in the Open Responses
    // param shape (no id, `content: null`, a summary): accepted, stored, read as its summary.
    bed.upstream.enqueue({ text: 'Fine.' });
    const sentBack = await bed.client.responses.create({
      model: 'gpt-4o',
      store: false,
      input: [
        { role: 'user', content: 'Greet me' },
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { role: 'user', content: 'Think about the weather' },
        {
          type: 'reasoning',
          summary: [{ type: 'summary_text', text: 'Weather is small talk.' }],
          content: null,
        } as unknown as OpenAI.Responses.ResponseReasoningItem,
        { role: 'assistant', content: 'It is mild.' },
        { role: 'user', content: 'Thanks' },
      ],
    });
    expect(sentBack.status).toBe('completed');
    expect(bed.upstream.lastRequest.messages).toEqual([
      { role: 'user', content: 'Greet me' },
      replayedTurn,
      { role: 'user', content: 'Think about the weather' },
      {
        role: 'assistant',
        content: 'It is mild.',
        reasoning_content: 'Weather is small talk.',
      },
      { role: 'user', content: 'Thanks' },
    ]);

    const items = await bed.client.responses.inputItems.list(chained.id);
    expect(items.data.map((item) => item.type)).toEqual(['message']);
    const firstItems = await bed.client.responses.inputItems.list(first.id);
    expect(firstItems.data.map((item) => item.type)).toEqual(['message']);
  });

  it('appends reasoning items to a conversation, and reads them back into the next prompt', async () => {
    const conversation = await bed.client.conversations.create({});
    bed.upstream.enqueue(thinking);
    await bed.client.responses.create({
      model: 'gpt-4o',
      conversation: conversation.id,
      input: 'Greet me',
    });
    const items = await bed.client.conversations.items.list(conversation.id, { order: 'asc' });
    expect(items.data.map((item) => item.type)).toEqual(['message', 'reasoning', 'message']);
    expect(items.data[1]).toMatchObject({
      type: 'reasoning',
      content: [{ type: 'reasoning_text', text: thinking.reasoning }],
    });

    bed.upstream.enqueue({ text: 'Bye.' });
    await bed.client.responses.create({
      model: 'gpt-4o',
      conversation: conversation.id,
      input: 'Bye',
    });
    expect(bed.upstream.lastRequest.messages).toEqual([
      { role: 'user', content: 'Greet me' },
      { role: 'assistant', content: 'Hello!', reasoning_content: thinking.reasoning },
      { role: 'user', content: 'Bye' },
    ]);
  });

  it('shows the reasoning of a turn that calls a function, and replays it with the call', async () => {
    bed.upstream.enqueue(
      {
        reasoning: 'I need the weather.',
        toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' }, id: 'call_oslo' }],
        reasoningTokens: 4,
      },
      { reasoning: 'It is cold.', text: 'Cold in Oslo.', reasoningTokens: 3 },
    );
    const tools = [
      {
        type: 'function' as const,
        name: 'get_weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
        strict: false,
      },
    ];
    const first = await bed.client.responses.create({ model: 'gpt-4o', input: 'Oslo?', tools });
    expect(first.output.map((item) => item.type)).toEqual(['reasoning', 'function_call']);
    expect(first.usage?.output_tokens_details.reasoning_tokens).toBe(4);
    const second = await bed.client.responses.create({
      model: 'gpt-4o',
      previous_response_id: first.id,
      tools,
      input: [{ type: 'function_call_output', call_id: 'call_oslo', output: '-5 C' }],
    });
    expect(second.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(second.output_text).toBe('Cold in Oslo.');
    expect(second.usage?.output_tokens_details.reasoning_tokens).toBe(3);

    // A new response on this chain reads the call with the reasoning that led to it.
    bed.upstream.enqueue({ text: 'Yes.' });
    await bed.client.responses.create({
      model: 'gpt-4o',
      previous_response_id: second.id,
      tools,
      input: 'Sure?',
    });
    const sent = bed.upstream.lastRequest.messages;
    expect(sent.slice(1, 3)).toEqual([
      {
        role: 'assistant',
        content: null,
        reasoning_content: 'I need the weather.',
        tool_calls: [
          {
            id: 'call_oslo',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_oslo', content: '-5 C' },
    ]);
    expect(sent[3]).toEqual({
      role: 'assistant',
      content: 'Cold in Oslo.',
      reasoning_content: 'It is cold.',
    });
  });

  it('sends a turn’s reasoning back with its server tool call in the run’s next turn', async () => {
    const store = await bed.client.vectorStores.create({ name: 'leave' });
    await bed.client.vectorStores.files.uploadAndPoll(
      store.id,
      await toFile(Buffer.from('Employees receive 27 days of paid leave.\n'), 'leave.md'),
      { pollIntervalMs: 20 },
    );
    bed.upstream.enqueue(
      {
        reasoning: 'Search the handbook first.',
        toolCalls: [{ name: 'file_search', arguments: { query: 'paid leave' }, id: 'call_leave' }],
      },
      { reasoning: 'It says 27.', text: '27 days.' },
    );
    const response = await bed.client.responses.create({
      model: 'gpt-4o',
      input: 'How much leave?',
      tools: [{ type: 'file_search', vector_store_ids: [store.id] }],
    });
    expect(response.output.map((item) => item.type)).toEqual([
      'reasoning',
      'file_search_call',
      'reasoning',
      'message',
    ]);
    // The run's second model turn reads the first turn's reasoning before the call it led to.
    const sent = bed.upstream.lastRequest.messages;
    expect(sent[1]).toMatchObject({
      role: 'assistant',
      reasoning_content: 'Search the handbook first.',
      tool_calls: [{ id: 'call_leave', function: { name: 'file_search' } }],
    });
    expect(sent[2]).toMatchObject({ role: 'tool', tool_call_id: 'call_leave' });
  });

  it('leaves Assistants runs as they were: no reasoning events, steps or text', async () => {
    const assistant = await bed.client.beta.assistants.create({ model: 'gpt-4o' });
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Greet me' }],
    });
    bed.upstream.enqueue(thinking);
    const events: string[] = [];
    const stream = bed.client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    for await (const event of stream) events.push(event.event);
    const run = await stream.finalRun();
    expect(run.status).toBe('completed');
    expect(events.filter((event) => !event.startsWith('thread.message.delta'))).toEqual([
      'thread.run.created',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.message.created',
      'thread.message.in_progress',
      'thread.message.completed',
      'thread.run.step.completed',
      'thread.run.completed',
    ]);
    const steps = await bed.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
    expect(steps.data.map((step) => step.step_details.type)).toEqual(['message_creation']);
    const messages = await bed.client.beta.threads.messages.list(thread.id, { order: 'asc' });
    expect(messages.data.at(-1)!.content).toEqual([
      { type: 'text', text: { value: 'Hello!', annotations: [] } },
    ]);
    expect(run.usage).toEqual({ prompt_tokens: 20, completion_tokens: 12, total_tokens: 32 });
  });
});
