/**
 * The client for remote A2A agents (protocol v1.0 over JSON-RPC or HTTP+JSON, and v0.3 agents through
 * the SDK's compatibility layer), built on @a2a-js/sdk. It only ever contacts allowlisted hosts, reads
 * cards as untrusted input, and reports a remote task as an `A2aUpdate` whose `text` keeps the remote
 * agent's words fenced off as data.
 */
import { sleep } from '../../domain/clock.ts';
import { randomUUID } from 'node:crypto';
import { Message, type Task } from '@a2a-js/sdk';
import {
  ClientFactory,
  JsonRpcTransportFactory,
  RestTransportFactory,
  type Client,
} from '@a2a-js/sdk/client';
import { TaskNotCancelableError } from '@a2a-js/sdk/errors';
import { InvalidRequestError } from '../../domain/errors.ts';
import { DELEGATION_DEPTH_HEADER } from '../delegation-depth.ts';
import { A2aHostNotAllowedError, A2aRemoteError } from './a2a-errors.ts';
import { A2aTaskTracker, isSettled, type A2aUpdate } from './a2a-update.ts';
import { createGuardedFetch } from './guarded-fetch.ts';
import { createHostAllowlist } from './host-allowlist.ts';
import { checkedAgentCardUrl } from './agent-card-url.ts';
import { checkAgentCard, type RemoteAgentCard } from './remote-agent-card.ts';
import { cleanRemoteText } from './untrusted-text.ts';

export type { A2aArtifact, A2aFile, A2aTaskState, A2aUpdate } from './a2a-update.ts';
export type { RemoteAgentCard, RemoteAgentSkill } from './remote-agent-card.ts';

export interface A2aClientOptions {
  /** Host patterns the client may contact (see `host-allowlist.ts`); everything else is refused. */
  allowedHosts: readonly string[];
  /** The fetch to send requests with (tests, proxies); it is wrapped by the allowlist guard. */
  fetch?: typeof fetch;
  /** Most characters of remote text in an update's `text` (default 20,000). */
  maxTextLength?: number;
  /** Largest response body accepted from a remote agent, in bytes (default 8 MiB). */
  maxResponseBytes?: number;
  /** How long a fetched card is reused, in milliseconds (default 60 s). */
  cardTtlMs?: number;
  /** How long to wait for a card, in milliseconds (default 10 s). */
  cardTimeoutMs?: number;
  /** The setting that holds `allowedHosts`, named in refusals (default `CONCIERGE_A2A_ALLOWED_HOSTS`). */
  settingName?: string;
}

/** What to send: text and/or a JSON object; `taskId` continues a task that waits for input. */
export interface A2aSendInput {
  text?: string;
  data?: Record<string, unknown>;
  taskId?: string;
  contextId?: string;
}

export interface A2aSendOptions {
  signal: AbortSignal;
  /** Called with the task as it changes (working, artifacts arriving), before the final update. */
  onUpdate?(update: A2aUpdate): void;
  /** The delegation level of the run the message starts, sent as `Concierge-Delegation-Depth`. */
  delegationDepth?: number;
}

export interface A2aClient {
  /** Throws unless `url` is an http(s) URL on an allowlisted host; sends nothing. */
  checkUrl(url: string): void;
  /** Fetches and checks the agent card at `url` (the card's URL, or the agent's base URL). */
  card(url: string, signal?: AbortSignal): Promise<RemoteAgentCard>;
  /**
   * Sends a message and follows the task (streaming when the agent can, else polling) until it ends
   * or waits for the caller (`input-required`, `auth-required`); resolves to that update.
   */
  send(url: string, input: A2aSendInput, options: A2aSendOptions): Promise<A2aUpdate>;
  /** Asks the agent to cancel a task; resolves once the agent accepted, or when the task had already ended. */
  cancel(url: string, taskId: string, signal?: AbortSignal): Promise<void>;
}

interface Connection {
  card: RemoteAgentCard;
  client: Client;
  source: string;
}

/** Polling a task that was handed back unfinished: first delay, doubling up to the maximum. */
const POLL_START_MS = 250;
const POLL_MAX_MS = 2000;
/** How long a stream may stay open after its task settled before the client closes it. */
const STREAM_GRACE_MS = 250;

/** Wraps anything but our own errors and aborts as an `A2aRemoteError`, quoting remote text as such. */
function remoteError(error: unknown, what: string, source: string, signal?: AbortSignal): unknown {
  if (signal?.aborted || error instanceof InvalidRequestError) return error;
  if (error instanceof A2aHostNotAllowedError || error instanceof A2aRemoteError) return error;
  const cause =
    error instanceof Error && error.cause instanceof A2aHostNotAllowedError
      ? error.cause
      : undefined;
  if (cause) return cause;
  const detail = cleanRemoteText(error instanceof Error ? error.message : String(error), 500);
  return new A2aRemoteError(
    `${what} at ${source} failed; the error it reported (untrusted text): "${detail}"`,
    { cause: error },
  );
}

export function createA2aClient(options: A2aClientOptions): A2aClient {
  const allowlist = createHostAllowlist(options.allowedHosts);
  const settingName = options.settingName ?? 'CONCIERGE_A2A_ALLOWED_HOSTS';
  const maxTextLength = options.maxTextLength ?? 20_000;
  const guardedFetch = createGuardedFetch({
    allowlist,
    settingName,
    fetch: options.fetch ?? fetch,
    maxResponseBytes: options.maxResponseBytes ?? 8 * 1024 * 1024,
  });
  const factory = new ClientFactory({
    transports: [
      new JsonRpcTransportFactory({ fetchImpl: guardedFetch, legacyCompat: { enabled: true } }),
      new RestTransportFactory({ fetchImpl: guardedFetch, legacyCompat: { enabled: true } }),
    ],
    // Cards are fetched and checked here; the factory only builds a client from a checked card.
    cardResolver: {
      resolve: () => Promise.reject(new Error('cards are resolved by the A2A client')),
    },
  });
  const connections = new Map<string, { until: number; connection: Promise<Connection> }>();

  async function fetchCard(cardUrl: URL, signal: AbortSignal | undefined): Promise<Connection> {
    const timeout = AbortSignal.timeout(options.cardTimeoutMs ?? 10_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let body: string;
    try {
      const response = await guardedFetch(cardUrl, {
        headers: { accept: 'application/json', 'A2A-Version': '1.0' },
        signal: combined,
      });
      body = await response.text();
      if (!response.ok)
        throw new A2aRemoteError(
          `The agent card at ${cardUrl.href} could not be fetched: HTTP ${response.status}.`,
        );
    } catch (error) {
      if (timeout.aborted && !signal?.aborted)
        throw new A2aRemoteError(
          `The agent card at ${cardUrl.href} did not arrive within ${options.cardTimeoutMs ?? 10_000} ms.`,
        );
      throw remoteError(error, 'Fetching the agent card', cardUrl.href, signal);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      throw new A2aRemoteError(`The agent card at ${cardUrl.href} is not JSON.`);
    }
    const { card, sdkCard } = checkAgentCard(raw, cardUrl, {
      allowlist,
      settingName,
      maxTextLength,
    });
    const client = await factory.createFromAgentCard(sdkCard);
    return { card, client, source: new URL(card.url).host };
  }

  function checkedCardUrl(url: string): URL {
    return checkedAgentCardUrl(url, allowlist, settingName);
  }

  async function connect(url: string, signal?: AbortSignal): Promise<Connection> {
    const cardUrl = checkedCardUrl(url);
    const cached = connections.get(cardUrl.href);
    if (cached && cached.until > Date.now()) return cached.connection;
    const connection = fetchCard(cardUrl, signal);
    for (const [key, entry] of connections) if (entry.until <= Date.now()) connections.delete(key);
    connections.set(cardUrl.href, {
      until: Date.now() + (options.cardTtlMs ?? 60_000),
      connection,
    });
    connection.catch(() => connections.delete(cardUrl.href));
    return connection;
  }

  async function follow(
    connection: Connection,
    tracker: A2aTaskTracker,
    signal: AbortSignal,
    onUpdate?: (update: A2aUpdate) => void,
  ) {
    let delay = POLL_START_MS;
    while (!isSettled(tracker.currentState)) {
      const taskId = tracker.currentTaskId;
      if (!taskId)
        throw new A2aRemoteError(
          `The A2A agent at ${connection.source} stopped answering before the task settled, and gave no task id to follow.`,
        );
      await sleep(delay, signal);
      delay = Math.min(delay * 2, POLL_MAX_MS);
      let task: Task;
      try {
        task = await connection.client.getTask(
          { tenant: '', id: taskId, historyLength: 0 },
          { signal },
        );
      } catch (error) {
        throw remoteError(error, 'Reading the task', connection.source, signal);
      }
      const before = tracker.currentState;
      tracker.applyTask(task);
      if (tracker.currentState !== before && !isSettled(tracker.currentState))
        onUpdate?.(tracker.update());
    }
  }

  return {
    checkUrl(url) {
      checkedCardUrl(url);
    },

    async card(url, signal) {
      return (await connect(url, signal)).card;
    },

    async send(url, input, { signal, onUpdate, delegationDepth }) {
      if (input.text === undefined && input.data === undefined)
        throw new InvalidRequestError('An A2A message needs text or data.');
      const connection = await connect(url, signal);
      const tracker = new A2aTaskTracker({ source: connection.source, maxTextLength });
      const message = Message.fromJSON({
        messageId: randomUUID(),
        role: 'ROLE_USER',
        parts: [
          ...(input.text !== undefined ? [{ text: input.text }] : []),
          ...(input.data !== undefined ? [{ data: input.data }] : []),
        ],
        ...(input.taskId ? { taskId: input.taskId } : {}),
        ...(input.contextId ? { contextId: input.contextId } : {}),
      });
      // Once the task settles, the agent ends the stream; reading it to the end keeps the connection
      // reusable. An agent that keeps it open (at auth-required, say) is cut off after a short grace.
      const streamController = new AbortController();
      let grace: NodeJS.Timeout | undefined;
      let ended = false;
      try {
        const events = connection.client.sendMessageStream(
          {
            tenant: '',
            message,
            configuration: {
              acceptedOutputModes: [],
              taskPushNotificationConfig: undefined,
              historyLength: 0,
              returnImmediately: false,
            },
            metadata: undefined,
          },
          {
            signal: AbortSignal.any([signal, streamController.signal]),
            ...(delegationDepth !== undefined
              ? { serviceParameters: { [DELEGATION_DEPTH_HEADER]: String(delegationDepth) } }
              : {}),
          },
        );
        for await (const event of events) {
          if (grace) continue;
          tracker.applyEvent(event);
          if (event.payload?.$case === 'task') {
            // On a follow-up, the task that opens the stream still shows the state being answered.
            if (input.taskId) tracker.resume();
            continue;
          }
          if (isSettled(tracker.currentState))
            grace = setTimeout(() => streamController.abort(), STREAM_GRACE_MS);
          else onUpdate?.(tracker.update());
        }
        ended = true;
      } catch (error) {
        // A stream cut off after the task settled is done; one that broke after the task existed is
        // followed by polling; anything earlier fails.
        if (signal.aborted || (!grace && !tracker.currentTaskId))
          throw remoteError(error, 'Sending to the A2A agent', connection.source, signal);
      } finally {
        clearTimeout(grace);
        if (!ended) streamController.abort();
      }
      await follow(connection, tracker, signal, onUpdate);
      return tracker.update();
    },

    async cancel(url, taskId, signal) {
      if (!taskId)
        throw new InvalidRequestError(
          'Only a task can be cancelled; this exchange has no task id.',
          'task_id',
        );
      const connection = await connect(url, signal);
      try {
        await connection.client.cancelTask(
          { tenant: '', id: taskId, metadata: undefined },
          signal ? { signal } : {},
        );
      } catch (error) {
        // A task that already ended cannot be cancelled, and needs no cancelling.
        if (!(error instanceof TaskNotCancelableError))
          throw remoteError(error, 'Cancelling the task', connection.source, signal);
      }
    },
  };
}
