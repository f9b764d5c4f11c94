/**
 * The Conversations API (`/v1/conversations`, its items) through the official openai SDK 6.49.0
 * against a listening server, on SQLite and on PostgreSQL: the lifecycle, items in order with cursor
 * pagination, the 400s and 404s in OpenAI's envelope, and parallel appends that keep one order.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../helpers/databases.ts';
import { createListeningTestApp, type TestApp } from '../helpers/test-app.ts';

function textOf(item: OpenAI.Conversations.ConversationItem): string {
  if (item.type !== 'message') return `<${item.type}>`;
  const part = item.content[0];
  return part && 'text' in part ? part.text : '';
}

describe.each(testDatabases)('Conversations API with the official SDK (%s)', (database) => {
  let app: TestApp;
  let client: OpenAI;
  let baseURL: string;

  beforeAll(async () => {
    const started = await createListeningTestApp({ database });
    app = started.app;
    baseURL = started.baseURL;
    client = new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0 });
  });
  afterAll(() => app.destroy());

  it('creates a conversation with items and metadata, retrieves, updates and deletes it', async () => {
    const created = await client.conversations.create({
      items: [
        { role: 'system', content: 'Be brief.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello' }] },
      ],
      metadata: { topic: 'demo' },
    });
    expect(created.id).toMatch(/^conv_/);
    expect(created).toMatchObject({ object: 'conversation', metadata: { topic: 'demo' } });
    expect(await client.conversations.retrieve(created.id)).toEqual({
      id: created.id,
      object: 'conversation',
      created_at: created.created_at,
      metadata: { topic: 'demo' },
    });

    const items = await client.conversations.items.list(created.id, { order: 'asc' });
    expect(items.data.map(textOf)).toEqual(['Be brief.', 'Hello']);
    expect(items.data[0]).toMatchObject({
      type: 'message',
      role: 'system',
      status: 'completed',
      content: [{ type: 'input_text', text: 'Be brief.' }],
    });
    expect(items.data[0]!.id).toMatch(/^msg_/);

    const updated = await client.conversations.update(created.id, { metadata: { topic: 'b' } });
    expect(updated.metadata).toEqual({ topic: 'b' });
    expect((await client.conversations.retrieve(created.id)).metadata).toEqual({ topic: 'b' });

    expect(await client.conversations.delete(created.id)).toEqual({
      id: created.id,
      object: 'conversation.deleted',
      deleted: true,
    });
    await expect(client.conversations.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
  });

  it('adds items of every input kind, lists them with auto-pagination, retrieves and deletes one', async () => {
    const conversation = await client.conversations.create({});
    const added = await client.conversations.items.create(conversation.id, {
      items: [
        { type: 'message', role: 'user', content: 'What is the weather?' },
        { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"celsius":3}' },
        { type: 'message', role: 'assistant', content: 'It is 3 °C in Oslo.' },
      ],
    });
    expect(added.object).toBe('list');
    expect(added.data.map((item) => item.type)).toEqual([
      'message',
      'function_call',
      'function_call_output',
      'message',
    ]);
    expect(added.data[1]).toMatchObject({
      call_id: 'call_1',
      name: 'weather',
      status: 'completed',
    });
    expect(added.data[3]).toMatchObject({
      role: 'assistant',
      content: [{ type: 'output_text', text: 'It is 3 °C in Oslo.', annotations: [] }],
    });
    await client.conversations.items.create(conversation.id, {
      items: Array.from({ length: 3 }, (_, index) => ({ role: 'user', content: `more ${index}` })),
    });

    // Newest first by default; the SDK follows `after` through every page.
    const seen: string[] = [];
    for await (const item of client.conversations.items.list(conversation.id, { limit: 2 }))
      seen.push(textOf(item));
    expect(seen).toEqual([
      'more 2',
      'more 1',
      'more 0',
      'It is 3 °C in Oslo.',
      '<function_call_output>',
      '<function_call>',
      'What is the weather?',
    ]);

    const call = added.data[1]!;
    expect(
      await client.conversations.items.retrieve(call.id!, { conversation_id: conversation.id }),
    ).toEqual(call);
    const after = await client.conversations.items.delete(call.id!, {
      conversation_id: conversation.id,
    });
    expect(after).toMatchObject({ id: conversation.id, object: 'conversation' });
    await expect(
      client.conversations.items.retrieve(call.id!, { conversation_id: conversation.id }),
    ).rejects.toMatchObject({ status: 404 });
    const remaining = await client.conversations.items.list(conversation.id, { order: 'asc' });
    expect(remaining.data.map((item) => item.type)).not.toContain('function_call');
    expect(remaining.data).toHaveLength(6);
  });

  it('keeps parallel appends in one order, each request contiguous, without gaps or duplicates', async () => {
    const conversation = await client.conversations.create({});
    await Promise.all(
      Array.from({ length: 10 }, (_, request) =>
        client.conversations.items.create(conversation.id, {
          items: [0, 1].map((index) => ({ role: 'user' as const, content: `${request}.${index}` })),
        }),
      ),
    );
    const texts: string[] = [];
    for await (const item of client.conversations.items.list(conversation.id, {
      order: 'asc',
      limit: 100,
    }))
      texts.push(textOf(item));
    expect(texts).toHaveLength(20);
    expect(new Set(texts).size).toBe(20);
    for (let start = 0; start < 20; start += 2) {
      const request = texts[start]!.split('.')[0];
      expect(texts.slice(start, start + 2)).toEqual([`${request}.0`, `${request}.1`]);
    }
  });

  it('answers bad input with a 400 naming the field, and unknown ids with a 404', async () => {
    const tooMany = Array.from({ length: 21 }, () => ({ role: 'user' as const, content: 'x' }));
    await expect(client.conversations.create({ items: tooMany })).rejects.toMatchObject({
      status: 400,
      error: { type: 'invalid_request_error', param: 'items' },
    });
    await expect(
      client.conversations.create({ items: [{ role: 'robot', content: 'x' } as never] }),
    ).rejects.toMatchObject({ status: 400, error: { param: expect.stringMatching(/^items/) } });
    await expect(
      client.conversations.create({ metadata: { k: 'v' }, extra: 1 } as never),
    ).rejects.toMatchObject({ status: 400 });

    const conversation = await client.conversations.create({
      items: [{ type: 'message', id: 'msg_kept', role: 'user', content: 'kept' } as never],
    });
    await expect(
      client.conversations.items.create(conversation.id, {
        items: [{ type: 'message', id: 'msg_kept', role: 'user', content: 'again' } as never],
      }),
    ).rejects.toMatchObject({ status: 400, error: { param: 'items' } });
    await expect(
      client.conversations.items.create(conversation.id, {
        items: [{ type: 'item_reference', id: 'msg_kept' }],
      }),
    ).rejects.toMatchObject({ status: 400, error: { param: 'items[0]' } });
    await expect(
      client.conversations.items.list(conversation.id, { after: 'msg_nowhere' }),
    ).rejects.toMatchObject({ status: 400, error: { param: 'after' } });
    await expect(client.conversations.retrieve('thread_abc')).rejects.toMatchObject({
      status: 400,
    });

    const missing = 'conv_0000000000000000missing';
    await expect(client.conversations.retrieve(missing)).rejects.toMatchObject({
      status: 404,
      error: { message: `No conversation found with id '${missing}'.` },
    });
    await expect(client.conversations.update(missing, { metadata: null })).rejects.toMatchObject({
      status: 404,
    });
    await expect(client.conversations.delete(missing)).rejects.toMatchObject({ status: 404 });
    await expect(
      client.conversations.items.create(missing, { items: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(client.conversations.items.list(missing)).rejects.toMatchObject({ status: 404 });
    await expect(
      client.conversations.items.retrieve('msg_nowhere', { conversation_id: conversation.id }),
    ).rejects.toMatchObject({ status: 404, error: { param: 'item_id' } });
    await expect(
      client.conversations.items.delete('msg_nowhere', { conversation_id: conversation.id }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('keeps each project to its own conversations', async () => {
    const conversation = await client.conversations.create({ metadata: { owner: 'default' } });
    const other = await fetch(`${baseURL}/organization/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
      body: JSON.stringify({ name: 'other' }),
    });
    expect(other.status).toBe(200);
    const project = (await other.json()) as { id: string };
    const otherClient = new OpenAI({
      baseURL,
      apiKey: 'sk-test',
      project: project.id,
      maxRetries: 0,
    });
    await expect(otherClient.conversations.retrieve(conversation.id)).rejects.toMatchObject({
      status: 404,
    });
  });
});
