/**
 * What a WebSocket of `/v1/responses` remembers of its `store: false` responses, as OpenAI's
 * WebSocket mode does: the items through the latest one of each lane, so that a later
 * `response.create` on the socket can name it as `previous_response_id`. Bounded, and it lives and
 * dies with its socket.
 */
import type { ConversationItem } from '../../domain/response-item.ts';
import type { UnstoredChains } from './responses.service.ts';

/** Lanes whose latest `store: false` response a socket remembers (the least recent is dropped). */
export const MAX_REMEMBERED = 8;

/** A socket's memory of unstored responses: the latest of each lane, by response id. */
export class UnstoredMemory {
  readonly #items = new Map<string, ConversationItem[]>();
  /** Lane → the id of its latest remembered response, least recently remembered first. */
  readonly #latest = new Map<string, string>();

  readonly lookup: UnstoredChains = (responseId) => this.#items.get(responseId);

  remember(lane: string, responseId: string, items: ConversationItem[]): void {
    const before = this.#latest.get(lane);
    if (before !== undefined) this.#items.delete(before);
    this.#latest.delete(lane);
    this.#latest.set(lane, responseId);
    this.#items.set(responseId, items);
    const [oldest] = this.#latest;
    if (this.#latest.size > MAX_REMEMBERED && oldest) {
      this.#latest.delete(oldest[0]);
      this.#items.delete(oldest[1]);
    }
  }
}
