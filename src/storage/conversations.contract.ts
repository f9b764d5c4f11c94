/**
 * The contract of conversations and their items: appends in one total order without gaps or
 * duplicates under truly parallel writers (on PostgreSQL also from a second pool, another API node),
 * pagination by position, item ids unique per conversation, and the one-response-at-a-time lock.
 * Both adapters' test files call `runConversationsContract`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newConversation } from '../domain/conversation.ts';
import { newId } from '../domain/ids.ts';
import type { ConversationItem } from '../domain/response-item.ts';
import { DuplicateItemIdError } from './ports/conversations-port.ts';
import { storeWithProject, type StoreFactory } from './store.contract.ts';
import type { Store } from './store.ts';

const PROJECT = 'proj_conversations';

function message(text: string, id = newId('message')): ConversationItem {
  return {
    type: 'message',
    id,
    role: 'user',
    status: 'completed',
    content: [{ type: 'input_text', text }],
  };
}

function textOf(item: ConversationItem): string {
  return item.type === 'message' && item.content[0]?.type === 'input_text'
    ? item.content[0].text
    : '';
}

/** The groups of three (in conversation order) that are not one batch in its own order. */
function interleavedBatches(texts: string[]): string[][] {
  const broken: string[][] = [];
  for (let start = 0; start < texts.length; start += 3) {
    const group = texts.slice(start, start + 3);
    const batch = group[0]!.split('.')[0];
    if (group.join() !== [`${batch}.0`, `${batch}.1`, `${batch}.2`].join()) broken.push(group);
  }
  return broken;
}

export function runConversationsContract(
  name: string,
  factory: StoreFactory & { twin?(store: Store): Promise<Store> },
): void {
  describe(`conversations contract: ${name}`, () => {
    const opened = storeWithProject(factory, PROJECT);
    let store: Store;
    beforeAll(() => {
      store = opened();
    });

    async function conversation(): Promise<string> {
      const created = newConversation({ topic: 'contract' });
      await store.conversations.insert(PROJECT, created);
      return created.id;
    }

    it('stores, finds, updates and deletes a conversation with its items, scoped to the project', async () => {
      const id = await conversation();
      expect(await store.conversations.find(PROJECT, id)).toMatchObject({
        id,
        object: 'conversation',
        metadata: { topic: 'contract' },
      });
      expect(await store.conversations.find('proj_other', id)).toBeUndefined();
      const found = (await store.conversations.find(PROJECT, id))!;
      expect(await store.conversations.update(PROJECT, { ...found, metadata: {} })).toBe(true);
      expect((await store.conversations.find(PROJECT, id))!.metadata).toEqual({});
      expect(await store.conversations.appendItems(PROJECT, id, [message('hi')], 1)).toBe(true);
      expect(await store.conversations.delete('proj_other', id)).toBe(false);
      expect(await store.conversations.delete(PROJECT, id)).toBe(true);
      expect(await store.conversations.listAllItems(PROJECT, id)).toEqual([]);
      expect(await store.conversations.appendItems(PROJECT, id, [message('late')], 1)).toBe(false);
    });

    it('pages items by position in both orders, and deletes one item', async () => {
      const id = await conversation();
      const added = ['a', 'b', 'c', 'd', 'e'].map((text) => message(text));
      await store.conversations.appendItems(PROJECT, id, added.slice(0, 2), 1);
      await store.conversations.appendItems(PROJECT, id, added.slice(2), 1);
      const first = await store.conversations.listItems(PROJECT, id, { limit: 2, order: 'asc' });
      expect(first.data.map(textOf)).toEqual(['a', 'b']);
      expect(first.has_more).toBe(true);
      const next = await store.conversations.listItems(PROJECT, id, {
        limit: 2,
        order: 'asc',
        after: first.last_id!,
      });
      expect(next.data.map(textOf)).toEqual(['c', 'd']);
      const newest = await store.conversations.listItems(PROJECT, id, { limit: 3, order: 'desc' });
      expect(newest.data.map(textOf)).toEqual(['e', 'd', 'c']);
      expect(await store.conversations.deleteItem(PROJECT, id, added[1]!.id)).toBe(true);
      expect(await store.conversations.findItem(PROJECT, id, added[1]!.id)).toBeUndefined();
      expect((await store.conversations.listAllItems(PROJECT, id)).map(textOf)).toEqual([
        'a',
        'c',
        'd',
        'e',
      ]);
    });

    it('refuses an item id the conversation already holds, appending nothing', async () => {
      const id = await conversation();
      const kept = message('kept');
      await store.conversations.appendItems(PROJECT, id, [kept], 1);
      await expect(
        store.conversations.appendItems(PROJECT, id, [message('new'), { ...kept }], 1),
      ).rejects.toBeInstanceOf(DuplicateItemIdError);
      const twice = message('twice');
      await expect(
        store.conversations.appendItems(PROJECT, id, [twice, { ...twice }], 1),
      ).rejects.toBeInstanceOf(DuplicateItemIdError);
      expect((await store.conversations.listAllItems(PROJECT, id)).map(textOf)).toEqual(['kept']);
      // The same item may be in another conversation.
      const other = await conversation();
      expect(await store.conversations.appendItems(PROJECT, other, [kept], 1)).toBe(true);
    });

    /** Appends 12 batches of 3 in parallel; answers the texts in conversation order. */
    async function appendInParallel(writers: Store[]): Promise<string[]> {
      const id = await conversation();
      const batches = Array.from({ length: 12 }, (_, batch) =>
        [0, 1, 2].map((index) => message(`${batch}.${index}`)),
      );
      await Promise.all(
        batches.map((batch, index) =>
          writers[index % writers.length]!.conversations.appendItems(PROJECT, id, batch, 1),
        ),
      );
      return (await store.conversations.listAllItems(PROJECT, id)).map(textOf);
    }

    it('keeps parallel appends in one total order without gaps or duplicates', async () => {
      const texts = await appendInParallel([store]);
      expect(new Set(texts).size).toBe(36);
      expect(interleavedBatches(texts)).toEqual([]);
    });

    it.runIf(factory.twin)('keeps that order with appends from two nodes', async () => {
      const twin = await factory.twin!(store);
      try {
        const texts = await appendInParallel([store, twin]);
        expect(new Set(texts).size).toBe(36);
        expect(interleavedBatches(texts)).toEqual([]);
      } finally {
        await twin.close();
      }
    });

    it('lets one response at a time hold a conversation, until it releases it or its lease lapses', async () => {
      const id = await conversation();
      const lease = { now: 1_000, until: 61_000 };
      const responses = Array.from({ length: 8 }, () => newId('request'));
      const results = await Promise.all(
        responses.map((response) => store.conversations.acquire(PROJECT, id, response, lease)),
      );
      expect(results.filter((result) => result === 'acquired')).toHaveLength(1);
      expect(results.filter((result) => result === 'locked')).toHaveLength(7);
      const holder = responses[results.indexOf('acquired')]!;
      expect(await store.conversations.acquire(PROJECT, id, holder, lease)).toBe('acquired');
      await store.conversations.release(
        PROJECT,
        id,
        responses.find((r) => r !== holder)!,
      );
      expect(await store.conversations.acquire(PROJECT, id, 'req_other', lease)).toBe('locked');
      await store.conversations.release(PROJECT, id, holder);
      expect(await store.conversations.acquire(PROJECT, id, 'req_other', lease)).toBe('acquired');
      // A holder that never released (its node died) loses the conversation once its lease lapses.
      const later = { now: 61_001, until: 121_001 };
      expect(await store.conversations.acquire(PROJECT, id, 'req_third', lease)).toBe('locked');
      expect(await store.conversations.acquire(PROJECT, id, 'req_third', later)).toBe('acquired');
      expect(await store.conversations.acquire(PROJECT, 'conv_missing', 'req_x', lease)).toBe(
        'missing',
      );
    });

    it('renews a hold only for the response that still holds it', async () => {
      const id = await conversation();
      const lease = { now: 1_000, until: 61_000 };
      expect(await store.conversations.acquire(PROJECT, id, 'req_long', lease)).toBe('acquired');
      expect(await store.conversations.renew(PROJECT, id, 'req_long', 200_000)).toBe(true);
      // Renewed: past its first lease, the conversation is still held.
      const past = { now: 100_000, until: 160_000 };
      expect(await store.conversations.acquire(PROJECT, id, 'req_other', past)).toBe('locked');
      expect(await store.conversations.renew(PROJECT, id, 'req_other', 300_000)).toBe(false);
      // Once the lease lapses another response takes it, and the old holder can no longer renew.
      const lapsed = { now: 200_001, until: 260_001 };
      expect(await store.conversations.acquire(PROJECT, id, 'req_other', lapsed)).toBe('acquired');
      expect(await store.conversations.renew(PROJECT, id, 'req_long', 400_000)).toBe(false);
      expect(await store.conversations.acquire(PROJECT, id, 'req_long', lapsed)).toBe('locked');
      await store.conversations.release(PROJECT, id, 'req_other');
      expect(await store.conversations.renew(PROJECT, id, 'req_other', 400_000)).toBe(false);
      expect(await store.conversations.renew(PROJECT, 'conv_missing', 'req_x', 400_000)).toBe(
        false,
      );
    });
  });
}
