/**
 * What a response reads, driven by the official SDK against a listening server and a scripted model:
 * `responses.inputTokens.count` on the same history a response builds (instructions, a
 * previous_response_id chain, a conversation, tools), `responses.compact` and its compaction item sent
 * back as input, `input_file` parts read by the document parsers, a chain fitted to the model's
 * window (`truncation: auto`) or refused (`disabled`), and a failed response's error code. SQLite,
 * and PostgreSQL when reachable.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import OpenAI, { toFile } from 'openai';
import { describe, expect, it } from 'vitest';
import { testDatabases } from '../helpers/databases.ts';
import { useRunTestBed } from '../helpers/run-test-bed.ts';

/** A user turn of about 300 tokens, about its topic. */
const long = (topic: string) => `${topic}: ${'lorem ipsum dolor '.repeat(100)}`;

/** Framing tokens per message, as the server counts them. */
const OVERHEAD = 4;

describe.each(testDatabases)('what a response reads (%s)', (database) => {
  const bed = useRunTestBed({ database });

  const count = async (params: OpenAI.Responses.InputTokenCountParams) =>
    (await bed.client.responses.inputTokens.count(params)).input_tokens;

  it('counts input tokens with the server tokenizer over instructions, chain, conversation and tools', async () => {
    const joke = await bed.client.responses.inputTokens.count({
      model: 'gpt-4o',
      input: 'Tell me a joke.',
    });
    expect(joke).toEqual({
      object: 'response.input_tokens',
      input_tokens: countTokens('Tell me a joke.') + OVERHEAD,
    });
    expect(
      await count({ model: 'gpt-4o', instructions: 'Be brief.', input: 'Tell me a joke.' }),
    ).toBe(joke.input_tokens + countTokens('Be brief.') + OVERHEAD);
    const withTool = await count({
      input: 'Tell me a joke.',
      tools: [{ type: 'function', name: 'get_joke', parameters: null, strict: null }],
    });
    expect(withTool).toBeGreaterThan(joke.input_tokens);

    // A chain counts as the same items sent explicitly.
    bed.upstream.enqueue({
      text: 'Hello there!',
      usage: { prompt_tokens: 9, completion_tokens: 3 },
    });
    const first = await bed.client.responses.create({ model: 'gpt-4o', input: 'Say hi' });
    const explicit = await count({
      input: [
        { role: 'user', content: 'Say hi' },
        { role: 'assistant', content: 'Hello there!' },
        { role: 'user', content: 'And again?' },
      ],
    });
    expect(await count({ previous_response_id: first.id, input: 'And again?' })).toBe(explicit);
    expect(explicit).toBe(
      countTokens('Say hi') +
        countTokens('Hello there!') +
        countTokens('And again?') +
        3 * OVERHEAD,
    );

    // So does a conversation, without taking it (a response may hold it meanwhile).
    const conversation = await bed.client.conversations.create({
      items: [
        { type: 'message', role: 'user', content: 'Say hi' },
        { type: 'message', role: 'assistant', content: 'Hello there!' },
      ],
    });
    expect(await count({ conversation: conversation.id, input: 'And again?' })).toBe(explicit);

    const unknown = await bed.client.responses.inputTokens
      .count({ previous_response_id: 'resp_doesnotexist', input: 'hi' })
      .catch((error) => error);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown.error.param).toBe('previous_response_id');
    const noConversation = await bed.client.responses.inputTokens
      .count({ conversation: 'conv_doesnotexist', input: 'hi' })
      .catch((error) => error);
    expect(noConversation).toBeInstanceOf(OpenAI.NotFoundError);
    expect(noConversation.error.param).toBe('conversation');
    const bad = await bed.client.responses.inputTokens
      .count({ input: 'hi', instructions: 5 as unknown as string })
      .catch((error) => error);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad.error.param).toBe('instructions');
  });

  it('compacts a chain into the user messages and a compaction item the next response reads as a summary', async () => {
    bed.upstream.enqueue({
      text: 'Day 1: Alfama. Day 2: Belem.',
      usage: { prompt_tokens: 12, completion_tokens: 8 },
    });
    const first = await bed.client.responses.create({
      model: 'gpt-4o',
      input: 'Plan two days in Lisbon',
    });
    bed.upstream.enqueue({
      text: 'The user plans two days in Lisbon (Alfama, Belem) and wants Porto added.',
      usage: { prompt_tokens: 40, completion_tokens: 15 },
    });
    const compacted = await bed.client.responses.compact({
      model: 'gpt-4o',
      previous_response_id: first.id,
      input: 'Add a day in Porto',
    });
    expect(compacted.object).toBe('response.compaction');
    expect(compacted.id).toMatch(/^resp_/);
    expect(compacted.usage).toMatchObject({
      input_tokens: 40,
      output_tokens: 15,
      total_tokens: 55,
    });
    expect(compacted.output.map((item) => item.type)).toEqual(['message', 'message', 'compaction']);
    expect(compacted.output.slice(0, 2)).toMatchObject([
      { role: 'user', content: [{ type: 'input_text', text: 'Plan two days in Lisbon' }] },
      { role: 'user', content: [{ type: 'input_text', text: 'Add a day in Porto' }] },
    ]);
    const compaction = compacted.output[2] as OpenAI.Responses.ResponseCompactionItem;
    expect(compaction.id).toMatch(/^cmp_/);
    expect(compaction.encrypted_content).not.toContain('Porto');
    // The model read the whole history, then the request to summarize it.
    const asked = bed.upstream.lastRequest.messages;
    expect(asked.slice(0, 3)).toEqual([
      { role: 'user', content: 'Plan two days in Lisbon' },
      { role: 'assistant', content: 'Day 1: Alfama. Day 2: Belem.' },
      { role: 'user', content: 'Add a day in Porto' },
    ]);
    expect(asked[3].content).toContain('compaction');

    bed.upstream.enqueue({
      text: 'Day 3: Porto.',
      usage: { prompt_tokens: 30, completion_tokens: 4 },
    });
    const next = await bed.client.responses.create({
      model: 'gpt-4o',
      input: [
        ...(compacted.output as OpenAI.Responses.ResponseInputItem[]),
        { role: 'user', content: 'Write the plan' },
      ],
    });
    expect(next.output_text).toBe('Day 3: Porto.');
    const read = bed.upstream.lastRequest.messages.map((message: any) => message.content);
    expect(read).toEqual([
      'Plan two days in Lisbon',
      'Add a day in Porto',
      expect.stringContaining('wants Porto added'),
      'Write the plan',
    ]);
    const items = await bed.client.responses.inputItems.list(next.id, { order: 'asc' });
    expect(items.data[2]).toMatchObject({ type: 'compaction', id: compaction.id });

    const forged = await bed.client.responses
      .create({
        model: 'gpt-4o',
        input: [
          { type: 'compaction', encrypted_content: 'gAAAA-not-ours' },
          { role: 'user', content: 'hi' },
        ],
      })
      .catch((error) => error);
    expect(forged).toBeInstanceOf(OpenAI.BadRequestError);
    expect(forged.error.param).toBe('input[0].encrypted_content');
    const empty = await bed.client.responses.compact({ model: 'gpt-4o' }).catch((error) => error);
    expect(empty).toBeInstanceOf(OpenAI.BadRequestError);
    expect(empty.error.param).toBe('input');
    const unknown = await bed.client.responses
      .compact({ model: 'gpt-4o', previous_response_id: 'resp_doesnotexist' })
      .catch((error) => error);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect(unknown.error.param).toBe('previous_response_id');
  });

  // Storage plays no part beyond the file upload: once (the parse worker's start-up costs seconds).
  it.runIf(database === 'sqlite')(
    'reads input_file parts (an uploaded file, or file_data) as text, and refuses file_url',
    async () => {
      const file = await bed.client.files.create({
        file: await toFile(Buffer.from('The gate code is 4711.'), 'gate.txt'),
        purpose: 'user_data',
      });
      bed.upstream.enqueue({
        text: 'It is 4711.',
        usage: { prompt_tokens: 20, completion_tokens: 4 },
      });
      const answer = await bed.client.responses.create({
        model: 'gpt-4o',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'What is the gate code?' },
              { type: 'input_file', file_id: file.id },
              {
                type: 'input_file',
                filename: 'notes.txt',
                file_data: `data:text/plain;base64,${Buffer.from('Parking is on level 2.').toString('base64')}`,
              },
            ],
          },
        ],
      });
      expect(answer.output_text).toBe('It is 4711.');
      const parts = bed.upstream.lastRequest.messages[0].content.map((part: any) => part.text);
      expect(parts[0]).toBe('What is the gate code?');
      expect(parts[1]).toContain('The gate code is 4711.');
      expect(parts[2]).toContain('notes.txt');
      expect(parts[2]).toContain('Parking is on level 2.');

      const url = await bed.client.responses
        .create({
          model: 'gpt-4o',
          input: [
            {
              role: 'user',
              content: [{ type: 'input_file', file_url: 'https://example.com/a.pdf' }],
            },
          ],
        })
        .catch((error) => error);
      expect(url).toBeInstanceOf(OpenAI.BadRequestError);
      expect(url.error.param).toBe('input[0].content[0]');
      expect(url.error.message).toContain('file_url');
      const missing = await bed.client.responses
        .create({
          model: 'gpt-4o',
          input: [
            { role: 'user', content: [{ type: 'input_file', file_id: 'file-doesnotexist' }] },
          ],
        })
        .catch((error) => error);
      expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
      expect(missing.error.param).toBe('input[0].content[0].file_id');
    },
  );
  it('fits a long chain to the model window with truncation auto, and fails with invalid_prompt when disabled', async () => {
    // Model "local/tiny" has a 600-token window (configured), a quarter of it reserved for output.
    bed.upstream.enqueue({ text: 'First answer.' }, { text: 'Second answer.' });
    const first = await bed.client.responses.create({ model: 'local/tiny', input: long('first') });
    const second = await bed.client.responses.create({
      model: 'local/tiny',
      previous_response_id: first.id,
      input: long('second'),
      truncation: 'auto',
    });
    expect(second.output_text).toBe('Second answer.');

    bed.upstream.enqueue({ text: 'Fitted.' });
    const fitted = await bed.client.responses.create({
      model: 'local/tiny',
      previous_response_id: second.id,
      input: 'And now?',
      truncation: 'auto',
    });
    expect(fitted).toMatchObject({ status: 'completed', truncation: 'auto' });
    const sent = JSON.stringify(bed.upstream.lastRequest.messages);
    expect(sent).not.toContain('first: ');
    expect(sent).toContain('And now?');

    const requests = bed.upstream.requests.length;
    const refused = await bed.client.responses.create({
      model: 'local/tiny',
      previous_response_id: second.id,
      input: 'And now?',
    });
    expect(refused).toMatchObject({
      status: 'failed',
      truncation: 'disabled',
      error: { code: 'invalid_prompt' },
    });
    expect(bed.upstream.requests.length).toBe(requests);
  });

  it('fails a response the model refuses with invalid_prompt, and says so in its stream', async () => {
    bed.upstream.enqueue({ error: { status: 400, message: 'upstream refused' } });
    const stream = await bed.client.responses.create({
      model: 'gpt-4o',
      input: 'Hello?',
      stream: true,
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const last = events.at(-1)!;
    expect(last.type).toBe('response.failed');
    const failed = (last as OpenAI.Responses.ResponseFailedEvent).response;
    expect(failed.error?.code).toBe('invalid_prompt');
    expect(await bed.client.responses.retrieve(failed.id)).toMatchObject({
      status: 'failed',
      error: { code: 'invalid_prompt' },
    });
  });
});
