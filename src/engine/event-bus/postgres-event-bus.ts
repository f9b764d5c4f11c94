/**
 * The event bus across processes, on PostgreSQL LISTEN/NOTIFY: API nodes and workers that share one
 * database hear each other's run events, wake-ups and cancel requests.
 *
 * One dedicated connection per process both listens and sends. Local listeners are called at once;
 * the database only carries what other processes need, and a process ignores its own notifications.
 * Sends are queued and go out as one statement per round trip, so a burst of token deltas costs one
 * NOTIFY statement, not one per delta. A payload carries the events themselves, so a receiver
 * delivers them without reading the table; it stays under NOTIFY's 8000-byte limit: an event too big
 * to carry travels as a reference (run id and seq) that receivers read back from run_events.
 *
 * The notifications are not sent by the statements that store the events (which would save this
 * round trip): a transaction that notifies holds PostgreSQL's notification-queue lock from its commit
 * until the commit's WAL flush, so every event write would commit one at a time across the cluster
 * (measured on 8 connections: ~550 inserts/s with a `pg_notify` in the statement against 2,300–5,200
 * without). The bus's own NOTIFY writes nothing, so it holds that lock only briefly.
 *
 * When the connection drops, the bus reconnects with backoff and then wakes local workers, since
 * wake-ups may have been missed; streams recover missed events from the table (see run-event-stream).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { RunEvent } from '../../domain/run-event.ts';
import { NOTIFICATIONS_PER_STATEMENT, notifyStatement } from '../../storage/notify-statement.ts';
import type { RunEventRepository } from '../../storage/ports/runs-port.ts';
import type { EventBus } from '../event-bus.ts';
import { createInProcessEventBus } from './in-process-event-bus.ts';

/** Bytes of payload per notification; PostgreSQL refuses 8000 and more. */
export const NOTIFY_PAYLOAD_LIMIT = 7900;
/** Notifications held while the connection is down; beyond this, the oldest are dropped (streams re-read the table). */
const MAX_QUEUED = 10_000;

export interface PostgresEventBusOptions {
  /** Opens the bus's own connection (not one from the pool: a listening connection is never returned). */
  connect: () => pg.Client;
  /** Reads back events that were too big to carry in a notification. */
  events: Pick<RunEventRepository, 'listAfter'>;
  /** Prefix of the channel names; processes share a bus only when they share the prefix (one per schema). */
  channelPrefix?: string;
  log?: { warn(object: unknown, message: string): void; info(message: string): void };
  /** Longest wait between reconnection attempts. */
  maxBackoffMs?: number;
}

/** What a notification on the events channel carries: whole events, or references to stored ones. */
interface EventsPayload {
  node: string;
  events?: Array<[runId: string, seq: number, event: RunEvent['event'], data: string]>;
  refs?: Array<[runId: string, seq: number]>;
}

interface Outgoing {
  channel: string;
  payload: string;
}

/**
 * Splits events into payloads under the limit; an event that cannot fit alone becomes a reference.
 * Each event is serialized once: a payload is its tuples joined inside the envelope, the same text
 * as `JSON.stringify({ node, events })`.
 */
export function packEvents(node: string, events: readonly RunEvent[]): string[] {
  const payloads: string[] = [];
  const opening = `{"node":${JSON.stringify(node)},"events":[`;
  // The envelope: the opening and the closing `]}`.
  const envelope = opening.length + 2;
  let current: string[] = [];
  let size = envelope;
  const refs: Array<[string, number]> = [];
  const close = () => payloads.push(`${opening}${current.join(',')}]}`);
  for (const event of events) {
    const tuple = JSON.stringify([event.runId, event.seq, event.event, event.data]);
    // With the comma before it; the first tuple's unused comma keeps the bound on the safe side.
    const length = Buffer.byteLength(tuple) + 1;
    if (envelope + length > NOTIFY_PAYLOAD_LIMIT) {
      refs.push([event.runId, event.seq]);
      continue;
    }
    if (size + length > NOTIFY_PAYLOAD_LIMIT) {
      close();
      current = [];
      size = envelope;
    }
    current.push(tuple);
    size += length;
  }
  if (current.length > 0) close();
  // References are ~40 bytes each; a hundred per payload stays well under the limit.
  for (let index = 0; index < refs.length; index += 100)
    payloads.push(JSON.stringify({ node, refs: refs.slice(index, index + 100) }));
  return payloads;
}

export interface PostgresEventBus extends EventBus {
  readonly connected: boolean;
  ready: Promise<void>;
}

export function createPostgresEventBus(options: PostgresEventBusOptions): PostgresEventBus {
  const node = randomBytes(8).toString('hex');
  // How every events payload of this process starts (packEvents puts the node first): a process
  // skips its own notifications without parsing them.
  const ownPayload = `{"node":${JSON.stringify(node)},`;
  const prefix = options.channelPrefix ?? 'concierge';
  const channels = {
    events: `${prefix}_events`,
    runnable: `${prefix}_runnable`,
    cancel: `${prefix}_cancel`,
  };
  // Listeners in this process; the database carries what the other processes need.
  const local = createInProcessEventBus();
  const outgoing: Outgoing[] = [];
  let client: pg.Client | undefined;
  let connected = false;
  let sending = false;
  let closed = false;
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;

  async function deliverReferences(refs: Array<[string, number]>): Promise<void> {
    for (const [runId, seq] of refs) {
      if (!local.hasSubscribers(runId)) continue;
      const [event] = await options.events.listAfter(runId, seq - 1, 1);
      if (event && event.seq === seq) local.publish([event]);
    }
  }

  function receive(message: pg.Notification): void {
    const payload = message.payload ?? '';
    if (message.channel === channels.runnable) {
      if (payload !== node) local.notifyRunnable();
      return;
    }
    const separator = payload.indexOf(':');
    if (message.channel === channels.cancel) {
      if (payload.slice(0, separator) !== node) local.notifyCancel(payload.slice(separator + 1));
      return;
    }
    if (message.channel !== channels.events || payload.startsWith(ownPayload)) return;
    // A process with no streams (a worker) has no one to deliver to: skip the parse.
    if (!local.hasSubscribers()) return;
    const parsed = JSON.parse(payload) as EventsPayload;
    if (parsed.node === node) return;
    local.publish(
      (parsed.events ?? []).map(([runId, seq, event, data]) => ({ runId, seq, event, data })),
    );
    if (parsed.refs)
      deliverReferences(parsed.refs).catch((error) =>
        options.log?.warn({ err: error }, 'event bus: reading a referenced event failed'),
      );
  }

  /** The notifications of `events`, as channel, payload, channel, payload… */
  function eventNotifications(events: readonly RunEvent[]): string[] {
    const notifications: string[] = [];
    for (const payload of packEvents(node, events)) notifications.push(channels.events, payload);
    return notifications;
  }

  /** Queues notifications given as channel, payload, channel, payload… */
  function enqueue(notifications: readonly string[]): void {
    for (let index = 0; index < notifications.length; index += 2)
      outgoing.push({ channel: notifications[index]!, payload: notifications[index + 1]! });
    if (outgoing.length > MAX_QUEUED) outgoing.splice(0, outgoing.length - MAX_QUEUED);
    flush();
  }

  /** Sends what is queued in one statement (up to a thousand); the rest and what queues meanwhile go next. */
  function flush(): void {
    if (sending || !connected || outgoing.length === 0 || !client) return;
    sending = true;
    // Two parameters each; a statement takes at most 65,535.
    const batch = outgoing.splice(0, NOTIFICATIONS_PER_STATEMENT);
    const parameters: string[] = [];
    for (const item of batch) parameters.push(item.channel, item.payload);
    client
      .query(notifyStatement(batch.length), parameters)
      .catch((error: unknown) => {
        // Put them back in order; they go out after the reconnect.
        outgoing.unshift(...batch);
        options.log?.warn({ err: error }, 'event bus: sending notifications failed');
      })
      .finally(() => {
        sending = false;
        flush();
      });
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer) return;
    const delay = Math.min(options.maxBackoffMs ?? 5000, 100 * 2 ** Math.min(attempt, 10));
    attempt += 1;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void connect();
    }, delay);
    reconnectTimer.unref();
  }

  function lost(connection: pg.Client, error?: unknown): void {
    if (client !== connection) return;
    client = undefined;
    connected = false;
    connection.removeAllListeners('notification');
    connection.on('error', () => {});
    connection.end().catch(() => {});
    if (closed) return;
    options.log?.warn({ err: error }, 'event bus: the LISTEN connection was lost; reconnecting');
    scheduleReconnect();
  }

  async function connect(): Promise<void> {
    const connection = options.connect();
    client = connection;
    connection.on('error', (error) => lost(connection, error));
    connection.on('end', () => lost(connection));
    connection.on('notification', (message) => {
      try {
        receive(message);
      } catch (error) {
        options.log?.warn({ err: error }, 'event bus: a notification could not be read');
      }
    });
    try {
      await connection.connect();
      await connection.query(
        `listen "${channels.events}"; listen "${channels.runnable}"; listen "${channels.cancel}"`,
      );
    } catch (error) {
      lost(connection, error);
      return;
    }
    if (client !== connection || closed) return;
    connected = true;
    const reconnected = attempt > 0;
    attempt = 0;
    if (reconnected) {
      options.log?.info('event bus: reconnected');
      // Wake-ups sent while we were away are lost; look for work now.
      local.notifyRunnable();
    }
    flush();
  }

  const ready = connect();

  return {
    get connected() {
      return connected;
    },
    /** Resolves once the first connection attempt has finished (listening, or scheduled to retry). */
    ready,
    publish(events, announcement) {
      if (events.length === 0) return;
      local.publish(events);
      // Sent by the store after the events' commit, in the round trip that stored them.
      if (announcement?.sent) return;
      enqueue(announcement?.notifications ?? eventNotifications(events));
    },
    announcement(events, runnable) {
      const notifications = eventNotifications(events);
      if (runnable) notifications.push(channels.runnable, node);
      return { notifications, sent: false };
    },
    subscribe: local.subscribe,
    notifyRunnable(announcement) {
      local.notifyRunnable();
      // Unsent, it went out with the events' notifications (`publish`).
      if (!announcement) enqueue([channels.runnable, node]);
    },
    onRunnable: local.onRunnable,
    notifyCancel(runId) {
      local.notifyCancel(runId);
      enqueue([channels.cancel, `${node}:${runId}`]);
    },
    onCancel: local.onCancel,
    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      await ready;
      // Let queued notifications go out before the connection closes.
      const deadline = Date.now() + 2000;
      const pending = () => (outgoing.length > 0 || sending) && connected;
      while (pending() && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      const connection = client;
      client = undefined;
      connected = false;
      await local.close();
      if (connection) {
        connection.removeAllListeners('end');
        await connection.end().catch(() => {});
      }
    },
  };
}
