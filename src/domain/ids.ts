/**
 * Object ids. Each id is `<prefix><time><sequence><random>` in an alphabet whose byte order matches its
 * value order, so ids of one process sort in creation order. Lists page by `(created_at, id)`; within one
 * second that tie-break keeps insertion order.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Prefixes as OpenAI uses them; `file-` has a hyphen. */
export const ID_PREFIXES = {
  assistant: 'asst_',
  thread: 'thread_',
  conversation: 'conv_',
  message: 'msg_',
  run: 'run_',
  step: 'step_',
  toolCall: 'call_',
  file: 'file-',
  vectorStore: 'vs_',
  fileBatch: 'vsfb_',
  serviceAgent: 'sa_',
  action: 'act_',
  proposal: 'prop_',
  project: 'proj_',
  apiKey: 'key_',
  request: 'req_',
  container: 'cntr_',
  containerFile: 'cfile_',
  response: 'resp_',
  functionCall: 'fc_',
  functionCallOutput: 'fco_',
  reasoning: 'rs_',
  compaction: 'cmp_',
} as const;
export type IdKind = keyof typeof ID_PREFIXES;

const TIME_LENGTH = 8;
const SEQUENCE_LENGTH = 4;
const RANDOM_LENGTH = 12;
// Start in the lower half so a process never wraps the sequence within one millisecond.
let sequence = Math.floor((Math.random() * 62 ** SEQUENCE_LENGTH) / 2);

function encode(value: number, length: number): string {
  let text = '';
  for (let index = 0; index < length; index++) {
    text = ALPHABET[value % 62] + text;
    value = Math.floor(value / 62);
  }
  return text;
}

// Random bytes are drawn from a pool refilled in 4 KiB blocks: one syscall per ~300 ids, not per id.
let pool = Buffer.alloc(0);
let poolOffset = 0;

function randomText(length: number): string {
  if (poolOffset + length > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  let text = '';
  for (let index = 0; index < length; index++) text += ALPHABET[pool[poolOffset + index]! % 62];
  poolOffset += length;
  return text;
}

/** A new, time-ordered id of the given kind. */
export function newId(kind: IdKind, now = Date.now()): string {
  sequence = (sequence + 1) % 62 ** SEQUENCE_LENGTH;
  return (
    ID_PREFIXES[kind] +
    encode(now, TIME_LENGTH) +
    encode(sequence, SEQUENCE_LENGTH) +
    randomText(RANDOM_LENGTH)
  );
}

/** The creation time in milliseconds embedded in an id made by `newId`, or undefined for a foreign id. */
export function idTimestamp(id: string, kind: IdKind): number | undefined {
  const prefix = ID_PREFIXES[kind];
  if (
    !id.startsWith(prefix) ||
    id.length !== prefix.length + TIME_LENGTH + SEQUENCE_LENGTH + RANDOM_LENGTH
  ) {
    return undefined;
  }
  let value = 0;
  for (const character of id.slice(prefix.length, prefix.length + TIME_LENGTH)) {
    const digit = ALPHABET.indexOf(character);
    if (digit < 0) return undefined;
    value = value * 62 + digit;
  }
  return value;
}

/** A secret of the given length in the id alphabet (for API keys). */
export function newSecret(length: number): string {
  return randomText(length);
}

/** The creation time in milliseconds embedded in any id made by `newId`, whatever its kind. */
export function anyIdTimestamp(id: string): number | undefined {
  const match = /^[a-z]+[_-]([0-9A-Za-z]{24})$/.exec(id);
  if (!match) return undefined;
  let value = 0;
  for (const character of match[1]!.slice(0, TIME_LENGTH))
    value = value * 62 + ALPHABET.indexOf(character);
  return value;
}
