/**
 * The event bus across processes, on PostgreSQL LISTEN/NOTIFY: API nodes and workers that share one
 * database hear each other's run events, wake-ups and cancel requests.
 *
 * One dedicated connection per process both listens and sends. Local listeners are called at once;
 * the database only carries what other processes need, and a process ignores its own notifications.
 * Sends are queued and go out as one statement per round trip, so a burst of token deltas costs one
 * NOTIFY statement, not one per delta. A payload carries the events themselves, so a receiver
 * delivers them without reading the table; it stays under NOTIFY's 8000-byte limit: an event too big
 * to carry travels as a reference (run id and seq) that receivers read back from run_events. Its
 * framing (`packEvents`) keeps each event's JSON as it is, and a receiver reads only the events of
 * runs it streams, stepping over the others by their lengths.
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

/** What a notification on the events channel carried before the framing below (a node may still send it). */
interface JsonEventsPayload {
  node: string;
  events?: Array<[runId: string, seq: number, event: RunEvent['event'], data: string]>;
  refs?: Array<[runId: string, seq: number]>;
}

interface Outgoing {
  channel: string;
  payload: string;
}

/**
 * Splits events into payloads under the limit. A payload is a line naming the sending process, then
 * each event as a header line followed by its data, the data's JSON text as it is (JSON inside JSON
 * would escape each of its quotes: a third more bytes to send, to receive and to unescape):
 *
 *     E<node>
 *     <runId> <seq> <event> <length>
 *     <data><runId or nothing> <seq> <event> <length>
 *     …
 *
 * The run id is left out (the line starts with the space) when it is the previous event's in the
 * payload; `length` counts the data's UTF-16 code units (its JavaScript length, which the UTF-8 round
 * trip through the database keeps). An event that cannot fit alone is a reference, `-` for its length
 * and no data: receivers read it back from run_events. Run ids and event names are ASCII.
 */
export function packEvents(node: string, events: readonly RunEvent[]): string[] {
  const payloads: string[] = [];
  const opening = `E${node}\n`;
  let current = opening;
  let size = opening.length;
  // The run id of the payload's last event; undefined while it has none.
  let previousRun: string | undefined;
  for (const event of events) {
    const tail = ` ${event.seq} ${event.event} `;
    const bytes = Buffer.byteLength(event.data);
    const length = String(event.data.length);
    const fits =
      opening.length + event.runId.length + tail.length + length.length + 1 + bytes <=
      NOTIFY_PAYLOAD_LIMIT;
    const body = fits ? `${tail}${length}\n${event.data}` : `${tail}-\n`;
    const bodyBytes = fits ? tail.length + length.length + 1 + bytes : tail.length + 2;
    const runIdBytes = event.runId === previousRun ? 0 : event.runId.length;
    if (previousRun !== undefined && size + runIdBytes + bodyBytes > NOTIFY_PAYLOAD_LIMIT) {
      payloads.push(current);
      current = opening;
      size = opening.length;
      previousRun = undefined;
    }
    const runId = event.runId === previousRun ? '' : event.runId;
    current += runId + body;
    size += runId.length + bodyBytes;
    previousRun = event.runId;
  }
  if (previousRun !== undefined) payloads.push(current);
  return payloads;
}

/**
 * The events of a payload (`packEvents`) for the runs `wanted` (this process's subscribers), and the
 * references among them; the others are stepped over by their lengths, not read.
 */
export function unpackEvents(
  payload: string,
  wanted: (runId: string) => boolean,
): { events: RunEvent[]; refs: Array<[string, number]> } {
  const events: RunEvent[] = [];
  const refs: Array<[string, number]> = [];
  let position = payload.indexOf('\n') + 1;
  let runId = '';
  let keep = false;
  while (position > 0 && position < payload.length) {
    const end = payload.indexOf('\n', position);
    const first = payload.indexOf(' ', position);
    const second = payload.indexOf(' ', first + 1);
    const third = payload.indexOf(' ', second + 1);
    if (end < 0 || first < 0 || second < 0 || third < 0 || third > end)
      throw new Error('A malformed events notification.');
    if (first > position) {
      runId = payload.slice(position, first);
      keep = wanted(runId);
    } else if (runId === '') throw new Error('A malformed events notification.');
    const reference = end === third + 2 && payload.charCodeAt(third + 1) === 45; // `-`
    const length = reference ? 0 : Number(payload.slice(third + 1, end));
    const next = end + 1 + length;
    if (!Number.isInteger(length) || length < 0 || next > payload.length)
      throw new Error('A malformed events notification.');
    if (keep) {
      const seq = Number(payload.slice(first + 1, second));
      if (reference) refs.push([runId, seq]);
      else
        events.push({
          runId,
          seq,
          event: payload.slice(second + 1, third) as RunEvent['event'],
          data: payload.slice(end + 1, next),
        });
    }
    position = next;
  }
  return { events, refs };
}

export interface PostgresEventBus extends EventBus {
  readonly connected: boolean;
  ready: Promise<void>;
}

export function createPostgresEventBus(options: PostgresEventBusOptions): PostgresEventBus {
  const node = randomBytes(8).toString('hex');
  // How every events payload of this process starts (packEvents puts the node first): a process
  // skips its own notifications without reading them.
  const ownPayload = `E${node}\n`;
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
    // A process with no streams (a worker) has no one to deliver to: skip the payload.
    if (!local.hasSubscribers()) return;
    // Only the events of runs streamed here are read; the others are stepped over.
    const { events, refs } = payload.startsWith('{')
      ? unpackJsonEvents(JSON.parse(payload) as JsonEventsPayload)
      : unpackEvents(payload, local.hasSubscribers);
    if (events.length > 0) local.publish(events);
    if (refs.length > 0)
      deliverReferences(refs).catch((error) =>
        options.log?.warn({ err: error }, 'event bus: reading a referenced event failed'),
      );
  }

  /** A payload as nodes sent them before `packEvents` framed them (during a rolling upgrade). */
  function unpackJsonEvents(parsed: JsonEventsPayload): ReturnType<typeof unpackEvents> {
    if (parsed.node === node) return { events: [], refs: [] };
    return {
      events: (parsed.events ?? []).map(([runId, seq, event, data]) => ({
        runId,
        seq,
        event,
        data,
      })),
      refs: parsed.refs ?? [],
    };
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
