import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { FastPath } from '../../http/route.ts';
import {
  MessageCreateParamsSchema,
  MessageListQuerySchema,
  MessagePathSchema,
  ThreadPathSchema,
} from '../threads/messages/messages.schemas.ts';
import { createMessageFastPath, idPathFastPath, listQueryFastPath } from './fast-paths.ts';
import { MESSAGE_TEXT_LIMIT } from './message.schemas.ts';

/** A query or path object as Fastify builds it: no prototype. */
const bare = (entries: Record<string, unknown>) => Object.assign(Object.create(null), entries);

/**
 * The inputs a fast path gets wrong: one in `taken` it leaves, or answers otherwise than the schema
 * (deep, strict equality), or one in `left` it takes (those must reach the schema).
 */
function mismatches<Value>(
  fast: FastPath<Value>,
  schema: z.ZodType<Value>,
  taken: unknown[],
  left: unknown[],
): unknown[] {
  return [
    ...taken.filter((input) => !isDeepStrictEqual(fast(input), schema.parse(input))),
    ...left.filter((input) => fast(input) !== undefined),
  ];
}

describe('fast paths of the hot routes', () => {
  it('takes thread ids the schema accepts, and leaves the rest to it', () => {
    expect(
      mismatches(
        idPathFastPath({ thread_id: 'thread' }),
        ThreadPathSchema,
        [
          bare({ thread_id: 'thread_abc' }),
          { thread_id: 'thread_0VcJWdxa1eBrTPNSzkTO8Hty' },
          { thread_id: `thread_${'a'.repeat(64)}` },
        ],
        [
          {},
          null,
          'thread_abc',
          [],
          { thread_id: 'thread_' },
          { thread_id: `thread_${'a'.repeat(65)}` },
          { thread_id: 'run_abc' },
          { thread_id: 'thread_a b' },
          { thread_id: 7 },
          { thread_id: 'thread_abc', extra: 'x' },
        ],
      ),
    ).toEqual([]);
    expect(
      mismatches(
        idPathFastPath({ thread_id: 'thread', message_id: 'message' }),
        MessagePathSchema,
        [bare({ thread_id: 'thread_a', message_id: 'msg_b' })],
        [{ thread_id: 'thread_a', message_id: 'thread_b' }, { thread_id: 'thread_a' }],
      ),
    ).toEqual([]);
  });

  it('takes first-page list queries, and leaves cursors, filters and bad values to the schema', () => {
    expect(
      mismatches(
        listQueryFastPath,
        MessageListQuerySchema,
        [
          bare({}),
          {},
          bare({ limit: '20' }),
          bare({ limit: '1' }),
          bare({ limit: '100' }),
          bare({ order: 'asc' }),
          bare({ limit: '7', order: 'desc' }),
        ],
        [
          null,
          bare({ limit: '0' }),
          bare({ limit: '101' }),
          bare({ limit: '020' }),
          bare({ limit: '-1' }),
          bare({ limit: '2.5' }),
          bare({ limit: ['5', '6'] }),
          bare({ limit: '' }),
          bare({ order: 'up' }),
          bare({ after: 'msg_a' }),
          bare({ before: 'msg_a' }),
          bare({ run_id: 'run_a' }),
          bare({ extra: '1' }),
          Object.assign(Object.create({ limit: '5' }), { order: 'asc' }),
        ],
      ),
    ).toEqual([]);
  });

  it('takes text messages, and leaves parts, attachments, metadata and bad values to the schema', () => {
    expect(
      mismatches(
        createMessageFastPath,
        MessageCreateParamsSchema,
        [
          { role: 'user', content: 'How does a bare server compare?' },
          { content: 'x', role: 'assistant' },
          { role: 'user', content: 'x'.repeat(MESSAGE_TEXT_LIMIT) },
        ],
        [
          null,
          [],
          'user',
          { role: 'user' },
          { role: 'user', content: '' },
          { role: 'user', content: 'x'.repeat(MESSAGE_TEXT_LIMIT + 1) },
          { role: 'system', content: 'x' },
          { role: 'user', content: 5 },
          { role: 'user', content: [{ type: 'text', text: 'x' }] },
          { role: 'user', content: 'x', metadata: {} },
          { role: 'user', content: 'x', attachments: null },
          { role: 'user', content: 'x', extra: 1 },
        ],
      ),
    ).toEqual([]);
  });
});
