/**
 * Fast paths of a run's start (see `../../shared/fast-paths.ts`): the bodies the SDK's `runs.stream`
 * and `createAndRunStream` send in the common case, taken without running zod; anything else (any
 * other field, a null, a message with parts) is left to the schema. `fast-paths.test.ts` holds them
 * against their schemas.
 */
import type { z } from 'zod';
import type { FastPath } from '../../../http/route.ts';
import { idPattern } from '../../shared/common.schemas.ts';
import { createMessageFastPath, objectWithKeys } from '../../shared/fast-paths.ts';
import type { MessageCreateParams } from '../../shared/message.schemas.ts';
import { MAX_THREAD_MESSAGES } from '../threads.schemas.ts';
import type {
  RunCreateParams,
  RunCreateQuerySchema,
  ThreadCreateAndRunParams,
} from './runs.schemas.ts';

const ASSISTANT_ID = idPattern('assistant');

/** `{ assistant_id, stream? }`, plus `extra` keys the caller checks; undefined if it is not that. */
function runStart(
  value: unknown,
  extra: readonly string[],
): { assistant_id: string; stream?: boolean } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const body = value as Record<string, unknown>;
  let keys = 1 + extra.length;
  if (typeof body['assistant_id'] !== 'string' || !ASSISTANT_ID.test(body['assistant_id']))
    return undefined;
  const start: { assistant_id: string; stream?: boolean } = { assistant_id: body['assistant_id'] };
  if ('stream' in body) {
    if (typeof body['stream'] !== 'boolean') return undefined;
    start.stream = body['stream'];
    keys += 1;
  }
  if (!extra.every((key) => key in body)) return undefined;
  return objectWithKeys(value, keys) ? start : undefined;
}

/** A run's create query without `include[]` (what nearly every request sends). */
export const runCreateQueryFastPath: FastPath<z.infer<typeof RunCreateQuerySchema>> = (value) =>
  objectWithKeys(value, 0) ? {} : undefined;

/** A run on a thread with only its assistant (and `stream`). */
export const createRunFastPath: FastPath<RunCreateParams> = (value) => runStart(value, []);

/** A thread-and-run whose thread is only text messages: `{ assistant_id, stream?, thread: { messages } }`. */
export const createThreadAndRunFastPath: FastPath<ThreadCreateAndRunParams> = (value) => {
  const start = runStart(value, ['thread']);
  if (!start) return undefined;
  const thread = (value as { thread: unknown }).thread;
  if (!objectWithKeys(thread, 1)) return undefined;
  const { messages } = thread;
  if (!Array.isArray(messages) || messages.length > MAX_THREAD_MESSAGES) return undefined;
  const parsed: MessageCreateParams[] = [];
  for (const message of messages) {
    const taken = createMessageFastPath(message);
    if (!taken) return undefined;
    parsed.push(taken);
  }
  return { ...start, thread: { messages: parsed } };
};
