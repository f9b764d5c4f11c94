/**
 * The `encrypted_content` of our compaction items: the model-written summary, carried by the item
 * itself so that a compaction needs no server state (it works with `store: false` and across
 * servers of one deployment). It is opaque to clients by contract, not by cryptography: whoever holds
 * the item already holds the conversation it summarizes, and a response replays it as a user turn,
 * so forging one gives a client nothing it could not send as a message.
 */

import { InvalidRequestError } from '../../domain/errors.ts';
import type { InputItem } from '../../domain/response-item.ts';

const PREFIX = 'concierge.compaction.v1.';

/** Wraps a summary as a compaction item's content. */
export function encodeCompaction(summary: string): string {
  return PREFIX + Buffer.from(JSON.stringify({ summary }), 'utf8').toString('base64url');
}

/** The summary a compaction item carries, or undefined when the content is not one of ours. */
export function decodeCompaction(content: string): string | undefined {
  if (!content.startsWith(PREFIX)) return undefined;
  try {
    const value: unknown = JSON.parse(
      Buffer.from(content.slice(PREFIX.length), 'base64url').toString('utf8'),
    );
    if (
      value &&
      typeof value === 'object' &&
      'summary' in value &&
      typeof value.summary === 'string'
    )
      return value.summary;
  } catch {
    // Not JSON: not ours.
  }
  return undefined;
}

/** How a response's model reads a compaction: the summary, as a turn of its own. */
export function compactionTurn(summary: string): string {
  return `Summary of the earlier conversation, which was compacted:\n\n${summary}`;
}

/** Refuses (400, naming the field) a compaction item that this server did not make. */
export function checkCompactions(items: InputItem[], param = 'input'): void {
  for (const [index, item] of items.entries()) {
    if (item.type !== 'compaction') continue;
    if (decodeCompaction(item.encrypted_content) === undefined)
      throw new InvalidRequestError(
        'The compaction item was not made by this server (POST /v1/responses/compact) or was altered.',
        `${param}[${index}].encrypted_content`,
      );
  }
}
