/**
 * `conversation` on a response, through the official SDK against a listening server and a scripted
 * model: the model sees the conversation's items before the input, the settled response appends its
 * input and output, `previous_response_id` beside it is a 400, and responses racing on one
 * conversation go one at a time (the others `conversation_locked`), and deleting a response that is
 * still working lets go of its conversation. SQLite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import type OpenAI from 'openai';
import { testDatabases } from '../helpers/databases.ts';
import { useRunTestBed } from '../helpers/run-test-bed.ts';
import { waitFor } from '../helpers/wait-for.ts';

function textOf(item: OpenAI.Conversations.ConversationItem): string {
  if (item.type !== 'message') return `<${item.type}>`;
  const part = item.content[0];
  return part && 'text' in part ? part.text : '';
}

describe.each(testDatabases)('responses on a conversation (%s)', (database) => {
  const bed = useRunTestBed({ database });

  it('reads the conversation as history and appends the input and output when it settles', async () => {
    const conversation = await bed.client.conversations.create({
      items: [
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 'Nice to meet you, Ada.' },
      ],
    });
    bed.upstream.enqueue({
      text: 'You are Ada.',
      usage: { prompt_tokens: 9, completion_tokens: 3 },
    });
    const response = await bed.client.responses.create({
      model: 'gpt-4o',
      conversation: conversation.id,
      input: 'What is my name?',
    });
    expect(response.output_text).toBe('You are Ada.');
    expect(response.conversation).toEqual({ id: conversation.id });
    const seen = bed.upstream.lastRequest.messages.map((message: any) =>
      typeof message.content === 'string'
        ? message.content
        : message.content.map((part: any) => part.text).join(''),
    );
    expect(seen.slice(-3)).toEqual([
      'My name is Ada.',
      'Nice to meet you, Ada.',
      'What is my name?',
    ]);

    const items = await bed.client.conversations.items.list(conversation.id, { order: 'asc' });
    expect(items.data.map(textOf)).toEqual([
      'My name is Ada.',
      'Nice to meet you, Ada.',
      'What is my name?',
      'You are Ada.',
    ]);
    expect(items.data[3]!.id).toBe(response.output[0]!.id);

    // The next response on it sees the whole exchange, as `{id}` too.
    bed.upstream.enqueue({
      text: 'Still Ada.',
      usage: { prompt_tokens: 12, completion_tokens: 2 },
    });
    await bed.client.responses.create({
      model: 'gpt-4o',
      conversation: { id: conversation.id },
      input: 'And now?',
    });
    const again = bed.upstream.lastRequest.messages;
    expect(JSON.stringify(again)).toContain('You are Ada.');
    const all = await bed.client.conversations.items.list(conversation.id, { order: 'asc' });
    expect(all.data.map(textOf).slice(-2)).toEqual(['And now?', 'Still Ada.']);
  });

  it('refuses conversation beside previous_response_id, and an unknown conversation', async () => {
    const conversation = await bed.client.conversations.create({});
    await expect(
      bed.client.responses.create({
        model: 'gpt-4o',
        conversation: conversation.id,
        previous_response_id: 'resp_0000000000000000000000ab',
        input: 'hi',
      }),
    ).rejects.toMatchObject({ status: 400, error: { param: 'conversation' } });
    await expect(
      bed.client.responses.create({
        model: 'gpt-4o',
        conversation: 'conv_0000000000000000missing',
        input: 'hi',
      }),
    ).rejects.toMatchObject({ status: 404, error: { param: 'conversation' } });
    // Neither left the conversation held.
    bed.upstream.enqueue({ text: 'ok', usage: { prompt_tokens: 1, completion_tokens: 1 } });
    const ok = await bed.client.responses.create({
      model: 'gpt-4o',
      conversation: conversation.id,
      input: 'hi',
    });
    expect(ok.status).toBe('completed');
  });

  it('lets racing responses on one conversation go one at a time; the others get conversation_locked', async () => {
    const conversation = await bed.client.conversations.create({});
    for (let index = 0; index < 4; index++)
      bed.upstream.enqueue({ text: `answer`, usage: { prompt_tokens: 1, completion_tokens: 1 } });
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, (_, index) =>
        bed.client.responses.create({
          model: 'gpt-4o',
          conversation: conversation.id,
          input: `question ${index}`,
        }),
      ),
    );
    const answered = results.filter((result) => result.status === 'fulfilled');
    expect(answered.length).toBeGreaterThanOrEqual(1);
    for (const refused of results.filter((result) => result.status === 'rejected'))
      expect(refused.reason).toMatchObject({ status: 400, error: { code: 'conversation_locked' } });
    // Each answered response left its question and answer together, in one order.
    const texts = (
      await bed.client.conversations.items.list(conversation.id, { order: 'asc' })
    ).data.map(textOf);
    expect(texts).toHaveLength(answered.length * 2);
    for (let start = 0; start < texts.length; start += 2) {
      expect(texts[start]).toMatch(/^question \d$/);
      expect(texts[start + 1]).toBe('answer');
    }
  });
});

describe.each(testDatabases)('deleting a response on a conversation (%s)', (database) => {
  const bed = useRunTestBed({ database });

  it('lets go of the conversation when a response still working on it is deleted', async () => {
    const conversation = await bed.client.conversations.create({});
    // The first answer stalls: its run is still in progress when the response is deleted.
    bed.upstream.enqueue({ text: 'never finished', stallAfterChunks: 1 });
    const working = await bed.client.responses.create({
      model: 'gpt-4o',
      conversation: conversation.id,
      input: 'first question',
      background: true,
    });
    await waitFor(async () => bed.upstream.requests.length >= 1, 'the model to be asked');
    await bed.client.responses.delete(working.id);
    // Taken at once: the deleted response no longer holds the conversation.
    bed.upstream.enqueue({ text: 'second answer' });
    const next = await bed.client.responses.create({
      model: 'gpt-4o',
      input: 'second question',
      conversation: { id: conversation.id },
    });
    expect(next.output_text).toBe('second answer');
    const texts = (
      await bed.client.conversations.items.list(conversation.id, { order: 'asc' })
    ).data.map(textOf);
    expect(texts).toEqual(['second question', 'second answer']);
  });
});
