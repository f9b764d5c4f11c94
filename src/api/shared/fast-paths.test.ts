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
import {
  createRunFastPath,
  createThreadAndRunFastPath,
  runCreateQueryFastPath,
} from '../threads/runs/runs.fast-paths.ts';
import {
  RunCreateParamsSchema,
  RunCreateQuerySchema,
  ThreadCreateAndRunParamsSchema,
} from '../threads/runs/runs.schemas.ts';
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

interface Case<Value> {
  name: string;
  fast: FastPath<Value>;
  schema: z.ZodType<Value>;
  /** Inputs the fast path must take. */
  taken: unknown[];
  /** Inputs it must leave to the schema. */
  left: unknown[];
}

const cases: Array<Case<unknown>> = [
  {
    name: 'a thread id path',
    fast: idPathFastPath({ thread_id: 'thread' }),
    schema: ThreadPathSchema,
    taken: [
      bare({ thread_id: 'thread_abc' }),
      { thread_id: 'thread_0VcJWdxa1eBrTPNSzkTO8Hty' },
      { thread_id: `thread_${'a'.repeat(64)}` },
    ],
    left: [
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
  },
  {
    name: 'a thread and message id path',
    fast: idPathFastPath({ thread_id: 'thread', message_id: 'message' }),
    schema: MessagePathSchema,
    taken: [bare({ thread_id: 'thread_a', message_id: 'msg_b' })],
    left: [{ thread_id: 'thread_a', message_id: 'thread_b' }, { thread_id: 'thread_a' }],
  },
  {
    name: 'a first-page list query (cursors, filters and bad values left)',
    fast: listQueryFastPath,
    schema: MessageListQuerySchema,
    taken: [
      bare({}),
      {},
      bare({ limit: '20' }),
      bare({ limit: '1' }),
      bare({ limit: '100' }),
      bare({ order: 'asc' }),
      bare({ limit: '7', order: 'desc' }),
    ],
    left: [
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
  },
  {
    name: 'a text message (parts, attachments, metadata and bad values left)',
    fast: createMessageFastPath,
    schema: MessageCreateParamsSchema,
    taken: [
      { role: 'user', content: 'How does a bare server compare?' },
      { content: 'x', role: 'assistant' },
      { role: 'user', content: 'x'.repeat(MESSAGE_TEXT_LIMIT) },
    ],
    left: [
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
  },
  {
    name: "a run's create query (include[] left)",
    fast: runCreateQueryFastPath,
    schema: RunCreateQuerySchema,
    taken: [bare({}), {}],
    left: [
      null,
      bare({ 'include[]': 'step_details.tool_calls[*].file_search.results[*].content' }),
      bare({ 'include[]': 'x' }),
      bare({ extra: '1' }),
    ],
  },
  {
    name: 'a run with only its assistant (every other field left)',
    fast: createRunFastPath,
    schema: RunCreateParamsSchema,
    taken: [
      { assistant_id: 'asst_abc' },
      { assistant_id: 'asst_abc', stream: true },
      { stream: false, assistant_id: 'asst_abc' },
    ],
    left: [
      null,
      [],
      {},
      { stream: true },
      { assistant_id: 'thread_abc' },
      { assistant_id: 'asst_' },
      { assistant_id: 7 },
      { assistant_id: 'asst_abc', stream: null },
      { assistant_id: 'asst_abc', stream: 'true' },
      { assistant_id: 'asst_abc', model: 'gpt-4o' },
      { assistant_id: 'asst_abc', instructions: null },
      { assistant_id: 'asst_abc', additional_messages: [{ role: 'user', content: 'x' }] },
      { assistant_id: 'asst_abc', thread: { messages: [] } },
      { assistant_id: 'asst_abc', extra: 1 },
    ],
  },
  {
    name: 'a thread-and-run of text messages (every other field left)',
    fast: createThreadAndRunFastPath,
    schema: ThreadCreateAndRunParamsSchema,
    taken: [
      { assistant_id: 'asst_abc', thread: { messages: [{ role: 'user', content: 'Go.' }] } },
      {
        assistant_id: 'asst_abc',
        stream: true,
        thread: {
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'Hello' },
          ],
        },
      },
      { assistant_id: 'asst_abc', thread: { messages: [] }, stream: false },
    ],
    left: [
      null,
      { assistant_id: 'asst_abc' },
      { assistant_id: 'asst_abc', stream: true },
      { thread: { messages: [] } },
      { assistant_id: 'run_abc', thread: { messages: [] } },
      { assistant_id: 'asst_abc', thread: null },
      { assistant_id: 'asst_abc', thread: {} },
      { assistant_id: 'asst_abc', thread: { messages: null } },
      { assistant_id: 'asst_abc', thread: { messages: [], metadata: {} } },
      { assistant_id: 'asst_abc', thread: { messages: [{ role: 'user', content: '' }] } },
      { assistant_id: 'asst_abc', thread: { messages: [{ role: 'system', content: 'x' }] } },
      {
        assistant_id: 'asst_abc',
        thread: { messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] },
      },
      {
        assistant_id: 'asst_abc',
        thread: { messages: Array.from({ length: 2001 }, () => ({ role: 'user', content: 'x' })) },
      },
      { assistant_id: 'asst_abc', thread: { messages: [] }, stream: null },
      { assistant_id: 'asst_abc', thread: { messages: [] }, tool_resources: {} },
      { assistant_id: 'asst_abc', thread: { messages: [] }, model: 'gpt-4o' },
    ],
  },
] as Array<Case<unknown>>;

describe('fast paths of the hot routes', () => {
  it.each(cases)('$name: takes what the schema accepts alike, leaves the rest to it', (entry) => {
    expect(mismatches(entry.fast, entry.schema, entry.taken, entry.left)).toEqual([]);
  });
});
