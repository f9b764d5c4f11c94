/**
 * What a response with `conversation` does to that conversation, for the Responses layer to call:
 * validate the parameter, take the conversation (one response at a time) and read its items as the
 * history before the response's input, then append the response's input and output items when it
 * settles, in the caller's transaction (the one that settles the response), and let go of it.
 *
 * Concurrency: OpenAI lets one response at a time work on a conversation and answers the others
 * `conversation_locked`; so does this. The hold is a lease (`locked_until`), renewed by the worker
 * while the response's run executes (`conversationLeaseRenewal`), so a long background response keeps
 * it and a node that died holding it does not lock the conversation forever.
 */
import { z } from 'zod';
import { InvalidRequestError, NotFoundError } from '../../domain/errors.ts';
import { ID_PREFIXES } from '../../domain/ids.ts';
import type { ResponseRecord } from '../../domain/response.ts';
import type { ConversationItem } from '../../domain/response-item.ts';
import type { RunSettledHook, SettledRun } from '../../engine/runs-engine.ts';
import type { Store } from '../../storage/store.ts';
import { idSchema } from '../shared/common.schemas.ts';

/** `conversation` on a response: the id, or `{id}` (OpenAI's `ConversationParam`). */
export const ConversationParamSchema = z.union([
  idSchema('conversation'),
  z.strictObject({ id: idSchema('conversation') }),
]);
export type ConversationParam = z.output<typeof ConversationParamSchema>;

/** How long a response holds its conversation unless it takes it again (a run's default expiry). */
export const CONVERSATION_LEASE_MILLISECONDS = 10 * 60 * 1000;

/** The conversation id a request names, after checking it does not also chain a response. */
export function conversationOf(request: {
  conversation?: ConversationParam | null | undefined;
  previous_response_id?: string | null | undefined;
}): string | undefined {
  const { conversation } = request;
  if (conversation === undefined || conversation === null) return undefined;
  if (request.previous_response_id) {
    throw new InvalidRequestError(
      "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.",
      'conversation',
      'mutually_exclusive_parameters',
    );
  }
  return typeof conversation === 'string' ? conversation : conversation.id;
}

/**
 * Takes the conversation for a response and answers its items in order (the history that comes
 * before the response's input). 404 when the project has no such conversation; 400
 * `conversation_locked` while another response holds it.
 */
export async function beginConversationTurn(
  store: Store,
  projectId: string,
  conversationId: string,
  responseId: string,
  now = Date.now(),
): Promise<ConversationItem[]> {
  const lease = { now, until: now + CONVERSATION_LEASE_MILLISECONDS };
  const held = await store.conversations.acquire(projectId, conversationId, responseId, lease);
  if (held === 'missing')
    throw NotFoundError.object('conversation', conversationId, 'conversation');
  if (held === 'locked') {
    throw new InvalidRequestError(
      'Another process is currently operating on this conversation. Please retry in a few moments.',
      'conversation',
      'conversation_locked',
    );
  }
  return store.conversations.listAllItems(projectId, conversationId);
}

/**
 * Appends a settled response's input items, then its output items, and lets go of the
 * conversation; `transaction` is the one that settles the response, so both land or neither does.
 * Input items the conversation already holds (an item the client sent back by id) are not added
 * twice. A response that ends without output to keep (failed, cancelled) calls `endConversationTurn`.
 */
export async function settleConversationTurn(
  transaction: Store,
  projectId: string,
  conversationId: string,
  responseId: string,
  items: { input: ConversationItem[]; output: ConversationItem[] },
): Promise<void> {
  const fresh: ConversationItem[] = [];
  for (const item of [...items.input, ...items.output]) {
    const known = await transaction.conversations.findItem(projectId, conversationId, item.id);
    if (!known && !fresh.some((other) => other.id === item.id)) fresh.push(item);
  }
  await transaction.conversations.appendItems(
    projectId,
    conversationId,
    fresh,
    Math.floor(Date.now() / 1000),
  );
  await transaction.conversations.release(projectId, conversationId, responseId);
}

/**
 * For the worker's heartbeat: keeps the conversations of the responses its runs execute held while
 * they run (a background response may run longer than the lease). A run is looked at when first
 * seen, then once half a lease has passed; its response's hold is renewed only if it still has it.
 */
export function conversationLeaseRenewal(
  store: Store,
  leaseMs = CONVERSATION_LEASE_MILLISECONDS,
  clock: () => number = Date.now,
): (runIds: readonly string[]) => Promise<void> {
  const renewedAt = new Map<string, number>();
  return async (runIds) => {
    const now = clock();
    for (const runId of renewedAt.keys()) if (!runIds.includes(runId)) renewedAt.delete(runId);
    for (const runId of runIds) {
      const last = renewedAt.get(runId);
      if (last !== undefined && now - last < leaseMs / 2) continue;
      renewedAt.set(runId, now);
      const record = await store.responses.findByRun(runId);
      const conversation = record?.response.conversation;
      if (!record || !conversation) continue;
      await store.conversations.renew(
        record.projectId,
        conversation.id,
        record.response.id,
        now + leaseMs,
      );
    }
  };
}

/** Lets go of the conversation without adding anything. */
export function endConversationTurn(
  store: Store,
  projectId: string,
  conversationId: string,
  responseId: string,
): Promise<void> {
  return store.conversations.release(projectId, conversationId, responseId);
}

/**
 * The conversation's items before a response's input: all of them while the response holds the
 * conversation; once it has settled (its items appended), those before its first input item.
 */
export async function conversationHistory(
  store: Store,
  projectId: string,
  conversationId: string,
  record: ResponseRecord,
): Promise<ConversationItem[]> {
  const items = await store.conversations.listAllItems(projectId, conversationId);
  const firstInput = record.input[0]?.id;
  const cut = firstInput === undefined ? -1 : items.findIndex((item) => item.id === firstInput);
  return cut >= 0 ? items.slice(0, cut) : items;
}

/**
 * The settled-run hook of conversations, after the response's own (which materialized its output
 * in the same transaction): a completed or incomplete response appends its input and output items
 * to its conversation; a failed or cancelled one only lets go of it.
 */
/** Only a response's run (its assistant id is the response's) can belong to a conversation. */
const mayBeConversationRun = (run: { assistant_id: string }) =>
  run.assistant_id.startsWith(ID_PREFIXES.response);

export const conversationSettled: RunSettledHook = Object.assign(
  async (transaction: Store, { run }: SettledRun) => {
    if (!mayBeConversationRun(run)) return;
    const record = await transaction.responses.findByRun(run.id);
    const conversation = record?.response.conversation;
    if (!record || !conversation) return;
    const { projectId, response } = record;
    if (response.status === 'completed' || response.status === 'incomplete') {
      await settleConversationTurn(transaction, projectId, conversation.id, response.id, {
        input: record.input,
        output: response.output,
      });
    } else if (response.status === 'failed' || response.status === 'cancelled') {
      await endConversationTurn(transaction, projectId, conversation.id, response.id);
    }
  },
  { concerns: mayBeConversationRun },
);
