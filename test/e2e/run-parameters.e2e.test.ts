/**
 * What a run's parameters do to the request sent upstream (inspected at the scripted model), and how
 * upstream failures and budgets end a run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';

function failed(code: string) {
  return { status: 'failed', last_error: { code }, failed_at: expect.any(Number) };
}

describe('run parameters and upstream behaviour', () => {
  let bed: RunTestBed;
  let assistantId: string;
  const poll = { pollIntervalMs: 20 };

  beforeAll(async () => {
    bed = await createRunTestBed({ config: { modelTimeoutSeconds: 1 } });
    assistantId = (
      await bed.client.beta.assistants.create({
        model: 'gpt-4o',
        instructions: 'Base instructions.',
        temperature: 0.4,
        top_p: 0.9,
      })
    ).id;
  });
  afterAll(() => bed.close());

  async function threadWith(...texts: string[]) {
    return bed.client.beta.threads.create({
      messages: texts.map((content, index) => ({
        role: index % 2 === 0 ? 'user' : 'assistant',
        content,
      })),
    });
  }

  it('passes instructions, additional_instructions, additional_messages, model and sampling upstream', async () => {
    const thread = await threadWith('first question');
    bed.upstream.enqueue({ text: 'ok' });
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      {
        assistant_id: assistantId,
        model: 'gpt-4o-mini',
        additional_instructions: 'Answer in French.',
        additional_messages: [{ role: 'user', content: 'second question' }],
        temperature: 0.1,
        max_completion_tokens: 500,
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'answer',
            schema: { type: 'object', properties: { a: { type: 'string' } } },
            strict: true,
          },
        },
      },
      poll,
    );
    expect(run).toMatchObject({
      status: 'completed',
      model: 'gpt-4o-mini',
      instructions: 'Base instructions.\n\nAnswer in French.',
      temperature: 0.1,
      top_p: 0.9,
    });
    const sent = bed.upstream.lastRequest;
    expect(sent.model).toBe('gpt-4o-mini');
    expect(sent.temperature).toBe(0.1);
    expect(sent.top_p).toBe(0.9);
    expect(sent.max_tokens).toBe(500);
    expect(sent.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'answer', strict: true },
    });
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Base instructions.\n\nAnswer in French.' },
      { role: 'user', content: 'first question' },
      { role: 'user', content: 'second question' },
    ]);
    // additional_messages were added to the thread itself.
    expect(
      (await bed.client.beta.threads.messages.list(thread.id)).data.map((message) => message.role),
    ).toEqual(['assistant', 'user', 'user']);

    bed.upstream.enqueue({ text: 'ok' });
    await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId, instructions: 'Replaced.' },
      poll,
    );
    expect(bed.upstream.lastRequest.messages[0]).toEqual({ role: 'system', content: 'Replaced.' });
  });

  it('truncation_strategy last_messages sends only the newest messages', async () => {
    const thread = await threadWith('m1', 'm2', 'm3', 'm4', 'm5');
    bed.upstream.enqueue({ text: 'ok' });
    await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      {
        assistant_id: assistantId,
        truncation_strategy: { type: 'last_messages', last_messages: 2 },
      },
      poll,
    );
    // The newest two are m4 (assistant) and m5 (user); a history never starts with an assistant turn.
    expect(bed.upstream.lastRequest.messages.map((message: any) => message.content)).toEqual([
      'Base instructions.',
      'm5',
    ]);
    bed.upstream.enqueue({ text: 'ok' });
    await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      {
        assistant_id: assistantId,
        truncation_strategy: { type: 'last_messages', last_messages: 3 },
      },
      poll,
    );
    // Now m1…m5 and the first run's answer 'ok': the newest three are m4, m5, ok; m4 (assistant) is dropped.
    expect(bed.upstream.lastRequest.messages.map((message: any) => message.content)).toEqual([
      'Base instructions.',
      'm5',
      'ok',
    ]);
  });

  it('auto truncation keeps the newest messages that fit the model’s context window', async () => {
    const long = 'lorem ipsum dolor sit amet '.repeat(40); // about 200 tokens each
    const thread = await threadWith(
      `old ${long}`,
      `reply ${long}`,
      `middle ${long}`,
      `reply ${long}`,
      'newest short question',
    );
    bed.upstream.enqueue({ text: 'ok' });
    // Model "local/tiny" has a 600-token window (configured), a quarter of it reserved for output.
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId, model: 'local/tiny', instructions: '' },
      poll,
    );
    expect(run.status).toBe('completed');
    const contents = bed.upstream.lastRequest.messages.map((message: any) =>
      message.content.slice(0, 6),
    );
    expect(contents.at(-1)).toBe('newest');
    expect(contents).not.toContain('old lo');
    expect(bed.upstream.lastRequest.messages.length).toBeLessThan(5);
  });

  it('max_prompt_tokens truncates what is sent, and ends the run incomplete when nothing fits', async () => {
    const long = 'tokens and more tokens '.repeat(60);
    const thread = await threadWith(`a ${long}`, `b ${long}`, 'c short');
    bed.upstream.enqueue({ text: 'ok' });
    const fitted = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId, max_prompt_tokens: 300 },
      poll,
    );
    expect(fitted.status).toBe('completed');
    expect(
      bed.upstream.lastRequest.messages.map((message: any) => message.content.slice(0, 2)),
    ).toEqual(['Ba', 'c ']);

    const crowded = await threadWith(`only ${long} ${long}`);
    const before = bed.upstream.requests.length;
    const run = await bed.client.beta.threads.runs.createAndPoll(
      crowded.id,
      { assistant_id: assistantId, max_prompt_tokens: 256 },
      poll,
    );
    expect(run).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_prompt_tokens' },
    });
    expect(bed.upstream.requests.length).toBe(before);
  });

  it('max_completion_tokens: a reply cut at the limit leaves the message and the run incomplete', async () => {
    const thread = await threadWith('write a lot');
    bed.upstream.enqueue({ text: 'a reply that was cut', finishReason: 'length' });
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId, max_completion_tokens: 256 },
      poll,
    );
    expect(run).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_completion_tokens' },
    });
    expect(bed.upstream.lastRequest.max_tokens).toBe(256);
    const message = (await bed.client.beta.threads.messages.list(thread.id, { run_id: run.id }))
      .data[0]!;
    expect(message).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_tokens' },
    });
  });

  it('maps upstream failures to last_error, retrying transient ones', async () => {
    const cases: Array<[string, Parameters<RunTestBed['upstream']['enqueue']>, object]> = [
      [
        'a 400',
        [{ error: { status: 400, message: 'context too long' } }],
        failed('invalid_prompt'),
      ],
      [
        'persistent 429s',
        [{ error: { status: 429 } }, { error: { status: 429 } }, { error: { status: 429 } }],
        failed('rate_limit_exceeded'),
      ],
      [
        'persistent 500s',
        [{ error: { status: 500 } }, { error: { status: 502 } }, { error: { status: 503 } }],
        failed('server_error'),
      ],
      ['a stalled stream', [{ text: 'a b c', stallAfterChunks: 1 }], failed('server_error')],
      [
        'one 503, then success',
        [{ error: { status: 503 } }, { text: 'recovered' }],
        { status: 'completed', last_error: null },
      ],
    ];
    for (const [label, turns, expected] of cases) {
      const thread = await threadWith(label);
      bed.upstream.enqueue(...turns);
      const run = await bed.client.beta.threads.runs.createAndPoll(
        thread.id,
        { assistant_id: assistantId },
        poll,
      );
      expect(run, label).toMatchObject(expected);
    }
  });

  it('sends image_url parts with their detail to a vision model, and fails clearly on a model without vision', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            {
              type: 'image_url',
              image_url: { url: 'https://example.com/cat.png', detail: 'high' },
            },
          ],
        },
      ],
    });
    bed.upstream.enqueue({ text: 'A cat.' });
    const seen = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId, model: 'local/seeing' },
      poll,
    );
    expect(seen.status).toBe('completed');
    expect(bed.upstream.lastRequest.model).toBe('seeing');
    expect(bed.upstream.lastRequest.messages[1].content).toEqual([
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } },
    ]);

    const before = bed.upstream.requests.length;
    const blind = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId, model: 'local/text-only' },
      poll,
    );
    expect(blind).toMatchObject({ status: 'failed', last_error: { code: 'invalid_prompt' } });
    expect(blind.last_error!.message).toMatch(/does not accept image input/);
    expect(bed.upstream.requests.length).toBe(before);
  });
});
