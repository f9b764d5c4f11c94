/**
 * The seam a response with `conversation` goes through, on real SQLite and PostgreSQL stores: the
 * history it reads, one response at a time (parallel takers), the settle that appends input then
 * output in the settling transaction (or nothing when that transaction fails), and the 400s.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../test/helpers/databases.ts';
import { createTestPostgresStore, dropSchema } from '../../../test/helpers/postgres.ts';
import { newConversation } from '../../domain/conversation.ts';
import { InvalidRequestError, NotFoundError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { Response } from '../../domain/response.ts';
import type { ConversationItem } from '../../domain/response-item.ts';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.ts';
import type { Store } from '../../storage/store.ts';
import {
  beginConversationTurn,
  conversationLeaseRenewal,
  conversationOf,
  endConversationTurn,
  settleConversationTurn,
} from './conversation-turn.ts';

const PROJECT = 'proj_turns';

/** A stored response object, for the records the lease renewal looks up by run. */
const RESPONSE: Response = {
  id: 'resp_placeholder',
  object: 'response',
  created_at: 1_700_000_000,
  status: 'in_progress',
  background: true,
  completed_at: null,
  error: null,
  incomplete_details: null,
  instructions: null,
  max_output_tokens: null,
  max_tool_calls: null,
  model: 'gpt-4o',
  output: [],
  parallel_tool_calls: true,
  previous_response_id: null,
  reasoning: { effort: null, summary: null },
  store: true,
  temperature: 1,
  text: { format: { type: 'text' } },
  tool_choice: 'auto',
  tools: [],
  top_p: 1,
  presence_penalty: 0,
  frequency_penalty: 0,
  top_logprobs: 0,
  service_tier: 'default',
  safety_identifier: null,
  prompt_cache_key: null,
  truncation: 'disabled',
  usage: null,
  metadata: {},
  conversation: null,
};

function said(role: 'user' | 'assistant', text: string): ConversationItem {
  return role === 'user'
    ? {
        type: 'message',
        id: newId('message'),
        role,
        status: 'completed',
        content: [{ type: 'input_text', text }],
      }
    : {
        type: 'message',
        id: newId('message'),
        role,
        status: 'completed',
        content: [{ type: 'output_text', text, annotations: [] }],
      };
}

function texts(items: ConversationItem[]): string[] {
  return items.map((item) =>
    item.type === 'message' && item.content[0] && 'text' in item.content[0]
      ? item.content[0].text
      : item.type,
  );
}

describe('conversationOf', () => {
  it('reads the id or {id}, and refuses it beside previous_response_id', () => {
    expect(conversationOf({})).toBeUndefined();
    expect(conversationOf({ conversation: 'conv_a' })).toBe('conv_a');
    expect(conversationOf({ conversation: { id: 'conv_b' } })).toBe('conv_b');
    expect(() =>
      conversationOf({ conversation: 'conv_a', previous_response_id: 'resp_x' }),
    ).toThrow(InvalidRequestError);
  });
});

describe.each(testDatabases)('a response turn on a conversation (%s)', (database) => {
  let store: Store;
  let schema: string | undefined;

  beforeAll(async () => {
    if (database === 'postgres') {
      ({ store, schema } = await createTestPostgresStore());
    } else {
      store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'concierge-turns-')), 'turns.db'));
      await store.migrate();
    }
  });
  afterAll(async () => {
    await store.close();
    if (schema) await dropSchema(schema);
  });

  async function conversationWith(items: ConversationItem[]): Promise<string> {
    const conversation = newConversation({});
    await store.conversations.insert(PROJECT, conversation);
    await store.conversations.appendItems(PROJECT, conversation.id, items, 1);
    return conversation.id;
  }

  it('reads the history, appends input then output when the response settles, and lets go', async () => {
    const earlier = [said('user', 'Hi'), said('assistant', 'Hello!')];
    const id = await conversationWith(earlier);
    const history = await beginConversationTurn(store, PROJECT, id, 'resp_one');
    expect(texts(history)).toEqual(['Hi', 'Hello!']);

    const input = [said('user', 'Weather?'), earlier[0]!];
    const output: ConversationItem[] = [
      {
        type: 'function_call',
        id: newId('functionCall'),
        call_id: 'call_1',
        name: 'weather',
        arguments: '{}',
        status: 'completed',
      },
    ];
    await store.transaction((transaction) =>
      settleConversationTurn(transaction, PROJECT, id, 'resp_one', { input, output }),
    );
    // The item the client sent back by id is not added twice.
    expect(texts(await store.conversations.listAllItems(PROJECT, id))).toEqual([
      'Hi',
      'Hello!',
      'Weather?',
      'function_call',
    ]);
    // Let go: the next response takes it at once.
    expect(texts(await beginConversationTurn(store, PROJECT, id, 'resp_two'))).toHaveLength(4);
    await endConversationTurn(store, PROJECT, id, 'resp_two');
  });

  it('appends nothing when the settling transaction fails, and keeps the hold', async () => {
    const id = await conversationWith([]);
    await beginConversationTurn(store, PROJECT, id, 'resp_held');
    await expect(
      store.transaction(async (transaction) => {
        await settleConversationTurn(transaction, PROJECT, id, 'resp_held', {
          input: [said('user', 'lost')],
          output: [],
        });
        throw new Error('the response could not settle');
      }),
    ).rejects.toThrow('could not settle');
    expect(await store.conversations.listAllItems(PROJECT, id)).toEqual([]);
    await expect(beginConversationTurn(store, PROJECT, id, 'resp_other')).rejects.toMatchObject({
      code: 'conversation_locked',
    });
  });

  it('lets one of many parallel responses take a conversation; the others get conversation_locked', async () => {
    const id = await conversationWith([said('user', 'Hi')]);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, index) =>
        beginConversationTurn(store, PROJECT, id, `resp_${index}`),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((result) => result.status === 'rejected');
    expect(refused).toHaveLength(7);
    for (const result of refused) {
      expect(result.reason).toBeInstanceOf(InvalidRequestError);
      expect(result.reason).toMatchObject({ code: 'conversation_locked', param: 'conversation' });
    }
  });

  it('answers 404 for a conversation of another project or none', async () => {
    const id = await conversationWith([]);
    await expect(beginConversationTurn(store, 'proj_else', id, 'resp_x')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('keeps a running response holding its conversation past the lease, and no other response', async () => {
    const id = await conversationWith([]);
    const runId = newId('run');
    const responseId = newId('response');
    await store.responses.insert({
      projectId: PROJECT,
      response: { ...RESPONSE, id: responseId, conversation: { id } },
      input: [],
      runId,
      threadId: newId('thread'),
      afterSeq: 0,
    });
    let now = 1_000_000;
    const renew = conversationLeaseRenewal(store, 60_000, () => now);
    expect(
      await store.conversations.acquire(PROJECT, id, responseId, { now, until: now + 60_000 }),
    ).toBe('acquired');
    await renew([runId]);
    now += 50_000;
    await renew([runId]);
    // Past the first lease (1_060_000) the response still holds it, renewed at 1_050_000.
    now = 1_100_000;
    const taker = { now, until: now + 60_000 };
    expect(await store.conversations.acquire(PROJECT, id, 'resp_other', taker)).toBe('locked');
    // Once its run stops, nothing renews it: the lease lapses and another response takes it.
    await renew([]);
    now = 1_200_000;
    const later = { now, until: now + 60_000 };
    expect(await store.conversations.acquire(PROJECT, id, 'resp_other', later)).toBe('acquired');
    // The old response's run coming back does not take it from the new holder.
    await renew([runId]);
    now = 1_270_000;
    expect(
      await store.conversations.acquire(PROJECT, id, responseId, { now, until: now + 60_000 }),
    ).toBe('acquired');
  });
});
