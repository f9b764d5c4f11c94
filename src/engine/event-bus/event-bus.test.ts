import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../domain/run-event.ts';
import {
  dropSchema,
  createTestPostgresStore,
  postgresAvailable,
  postgresTestUrl,
} from '../../../test/helpers/postgres.ts';
import { postgresClientConfig } from '../../storage/postgres/postgres-store.ts';
import { runEventBusContract } from '../event-bus.contract.ts';
import { runEventStream } from '../run-event-stream.ts';
import { createInProcessEventBus } from './in-process-event-bus.ts';
import {
  createPostgresEventBus,
  NOTIFY_PAYLOAD_LIMIT,
  packEvents,
  unpackEvents,
} from './postgres-event-bus.ts';

/** `count` text deltas of `runId`, seqs from 1, with the data `data` gives each seq. */
function deltaEvents(runId: string, count: number, data: (seq: number) => string): RunEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    runId,
    seq: index + 1,
    event: 'thread.message.delta',
    data: data(index + 1),
  }));
}

// A message delta as the engine writes it: quotes, a newline, a space, a character outside the BMP.
function messageDelta(seq: number): string {
  return JSON.stringify({
    id: 'msg_0Vd9lC918YscIk6rXpI6Od01',
    object: 'thread.message.delta',
    delta: { content: [{ index: 0, type: 'text', text: { value: `token ${seq}\n 🙂 "q"` } }] },
  });
}

/** Polls until `check` holds. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

runEventBusContract('in-process', async () => {
  const bus = createInProcessEventBus();
  return { sender: bus, receiver: bus, store: async () => {}, close: () => bus.close() };
});

describe.runIf(postgresAvailable)('PostgreSQL event bus', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  async function pairOfBuses(applicationName: string) {
    const { store, schema } = await createTestPostgresStore();
    schemas.push(schema);
    const connect = () =>
      new pg.Client({
        ...postgresClientConfig({ connectionString: postgresTestUrl, schema }),
        application_name: applicationName,
      });
    // Stands in for the run_events table (its rows need runs, threads and a project).
    const stored = new Map<string, RunEvent>();
    let reads = 0;
    const events = {
      listAfter: async (runId: string, afterSeq: number) => {
        reads += 1;
        return [stored.get(`${runId}/${afterSeq + 1}`)].filter((item) => item !== undefined);
      },
    };
    const bus = () =>
      createPostgresEventBus({
        connect,
        events,
        channelPrefix: `concierge_${schema}`,
        maxBackoffMs: 200,
      });
    const sender = bus();
    const receiver = bus();
    await Promise.all([sender.ready, receiver.ready]);
    return {
      sender,
      receiver,
      store: async (items: RunEvent[]) => {
        for (const item of items) stored.set(`${item.runId}/${item.seq}`, item);
      },
      /** How many times a bus read events back from the table. */
      reads: () => reads,
      /** The channel events go on. */
      eventsChannel: `concierge_${schema}_events`,
      close: async () => {
        await Promise.all([sender.close(), receiver.close()]);
        await store.close();
      },
    };
  }

  runEventBusContract('postgres', () => pairOfBuses('concierge_bus_contract'));

  it('packs events into payloads under the NOTIFY limit, keeping order, and refers to ones too big', () => {
    const events = Array.from({ length: 40 }, (_, index) => ({
      runId: index < 20 ? 'run_a' : 'run_b',
      seq: index + 1,
      event: 'thread.message.delta' as const,
      data: JSON.stringify({ text: (index === 7 ? 'y' : 'é').repeat(index === 7 ? 9000 : 700) }),
    }));
    const payloads = packEvents('node', events);
    expect(payloads.length).toBeGreaterThan(1);
    expect(payloads.every((payload) => Buffer.byteLength(payload) < NOTIFY_PAYLOAD_LIMIT)).toBe(
      true,
    );
    const unpacked = payloads.map((payload) => unpackEvents(payload, () => true));
    expect(unpacked.flatMap((payload) => payload.events)).toEqual(
      events.filter((item) => item.seq !== 8),
    );
    expect(unpacked.flatMap((payload) => payload.refs)).toEqual([['run_a', 8]]);
  });

  it("carries an event's data as it is, not escaped inside JSON, with its run id once per run", () => {
    const runId = 'run_0Vd9lC918YscIk6rXpI6Od00';
    const events = deltaEvents(runId, 20, messageDelta);
    const [payload, ...more] = packEvents('0123456789abcdef', events);
    expect(more).toEqual([]);
    const dataBytes = events.reduce((sum, item) => sum + Buffer.byteLength(item.data), 0);
    // The data, the node's line, one run id, and a short header per event (seq, name, length).
    const overhead = Buffer.byteLength(payload!) - dataBytes;
    expect(overhead).toBeLessThan(18 + runId.length + 20 * ' 20 thread.message.delta 123\n'.length);
    expect(unpackEvents(payload!, () => true).events).toEqual(events);
  });

  it('steps over the events of runs nobody here follows, asking once per run', () => {
    const events = [
      ...deltaEvents('run_a', 3, (seq) => `{"a":${seq}}`),
      ...deltaEvents('run_b', 3, (seq) => `{"b":${seq}}`),
    ];
    const asked: string[] = [];
    const { events: kept } = unpackEvents(packEvents('node', events)[0]!, (runId) => {
      asked.push(runId);
      return runId === 'run_b';
    });
    expect(asked).toEqual(['run_a', 'run_b']);
    expect(kept).toEqual(events.slice(3));
  });

  it('refuses a malformed payload instead of delivering part of it wrongly', () => {
    const [payload] = packEvents(
      'node',
      deltaEvents('run_a', 2, (seq) => `{"a":${seq}}`),
    );
    expect(() => unpackEvents(payload!.slice(0, -3), () => true)).toThrow(/malformed/);
    expect(() => unpackEvents('Enode\n 1 thread.message.delta 2\n{}', () => true)).toThrow(
      /malformed/,
    );
  });

  it('reconnects after its connection is terminated, and wakes workers that may have missed a notification', async () => {
    const name = `concierge_bus_${Date.now()}`;
    const pair = await pairOfBuses(name);
    let woken = 0;
    pair.receiver.onRunnable(() => (woken += 1));
    const admin = new pg.Client({ connectionString: postgresTestUrl });
    await admin.connect();
    const backends = async () =>
      (
        await admin.query<{ pid: number }>(
          'select pid from pg_stat_activity where application_name = $1',
          [name],
        )
      ).rows.map((row) => row.pid);
    try {
      // `ready` also resolves when a first attempt failed and a retry is scheduled.
      await until(
        async () =>
          pair.receiver.connected && pair.sender.connected && (await backends()).length === 2,
        'both buses listen',
      );
      const before = await backends();
      const terminated = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where pid = any($1::int[])',
        [before],
      );
      expect(terminated.rowCount).toBe(2);
      // Back on new backends: a bus's `connected` flag only changes once it has heard the news.
      await until(async () => {
        const now = await backends();
        return now.length === 2 && now.every((pid) => !before.includes(pid));
      }, 'both buses are on new connections');
      await until(
        () => pair.receiver.connected && pair.sender.connected && woken > 0,
        'the buses reconnected and woke the workers',
      );
      const received: string[] = [];
      pair.receiver.onCancel((runId) => received.push(runId));
      pair.sender.notifyCancel('run_after_reconnect');
      await until(() => received.length > 0, 'the cancel request arrived');
      expect(received).toEqual(['run_after_reconnect']);
    } finally {
      await admin.end();
      await pair.close();
    }
  });

  /** Runs `work` with a pair of buses, closed after it. */
  async function withPair(
    name: string,
    work: (pair: Awaited<ReturnType<typeof pairOfBuses>>) => Promise<void>,
  ): Promise<void> {
    const pair = await pairOfBuses(name);
    try {
      await work(pair);
    } finally {
      await pair.close();
    }
  }

  it('sends a backlog larger than one NOTIFY statement takes, in order', () =>
    withPair('concierge_bus_backlog', async (pair) => {
      const runId = `run_backlog${Date.now()}`;
      const received: number[] = [];
      pair.receiver.subscribe(runId, (event) => received.push(event.seq));
      const events = deltaEvents(runId, 2500, (seq) => `{"seq":${seq}}`);
      await pair.store(events);
      // One publish each, in one tick: they queue behind the first statement, 1000 per statement.
      for (const item of events) pair.sender.publish([item]);
      await until(() => received.length === events.length, 'the whole backlog arrived');
      expect(received).toEqual(events.map((item) => item.seq));
    }));

  it('delivers notified events to another process without reading the table, except one too big to carry', () =>
    withPair('concierge_bus_reads', async (pair) => {
      const runId = `run_reads${Date.now()}`;
      const received: RunEvent[] = [];
      pair.receiver.subscribe(runId, (event) => received.push(event));
      const deltas = deltaEvents(runId, 20, (seq) =>
        JSON.stringify({ text: seq === 10 ? 'x'.repeat(9000) : `token ${seq}` }),
      );
      // As the engine does: each event stored, then published.
      for (const delta of deltas) {
        await pair.store([delta]);
        pair.sender.publish([delta]);
      }
      await until(() => received.length === deltas.length, 'every event arrived');
      expect([...received].sort((left, right) => left.seq - right.seq)).toEqual(deltas);
      expect(pair.reads()).toBe(1);
    }));

  it('reads the events of a node that still sends them as JSON (a rolling upgrade)', () =>
    withPair('concierge_bus_legacy', async (pair) => {
      const runId = `run_legacy${Date.now()}`;
      const received: RunEvent[] = [];
      pair.receiver.subscribe(runId, (event) => received.push(event));
      const admin = new pg.Client({ connectionString: postgresTestUrl });
      await admin.connect();
      try {
        const payload = JSON.stringify({
          node: 'an older node',
          events: [[runId, 1, 'thread.message.delta', '{"text":"a \\"quoted\\" token"}']],
        });
        await admin.query('select pg_notify($1, $2)', [pair.eventsChannel, payload]);
        await until(() => received.length === 1, 'the event arrived');
        expect(received).toEqual([
          { runId, seq: 1, event: 'thread.message.delta', data: '{"text":"a \\"quoted\\" token"}' },
        ]);
      } finally {
        await admin.end();
      }
    }));

  it('lets a stream recover, from the table, the events sent while its LISTEN connection was down', async () => {
    const { store, schema } = await createTestPostgresStore();
    schemas.push(schema);
    const name = `concierge_gap_${Date.now()}`;
    const table: RunEvent[] = [];
    const events = {
      listAfter: async (runId: string, afterSeq: number, limit: number) =>
        table.filter((item) => item.runId === runId && item.seq > afterSeq).slice(0, limit),
    };
    const bus = (role: string) =>
      createPostgresEventBus({
        connect: () =>
          new pg.Client({
            ...postgresClientConfig({ connectionString: postgresTestUrl, schema }),
            application_name: `${name}_${role}`,
          }),
        events,
        channelPrefix: `concierge_${schema}`,
        maxBackoffMs: 200,
      });
    const sender = bus('sender');
    const receiver = bus('receiver');
    await Promise.all([sender.ready, receiver.ready]);
    const admin = new pg.Client({ connectionString: postgresTestUrl });
    await admin.connect();
    // Stored, then sent: the order every writer keeps.
    const send = (seq: number, event: RunEvent['event']) => {
      const item = { runId: 'run_gap', seq, event, data: `{"seq":${seq}}` };
      table.push(item);
      sender.publish([item]);
    };
    try {
      await until(() => sender.connected && receiver.connected, 'both buses listen');
      const seen: number[] = [];
      const streamed = (async () => {
        for await (const item of runEventStream({
          events: events as never,
          bus: receiver,
          runId: 'run_gap',
          afterSeq: 0,
          signal: new AbortController().signal,
          recheckMs: 300,
        }))
          seen.push(item.seq);
      })();
      send(1, 'thread.message.delta');
      await until(() => seen.length === 1, 'the first event arrived live');
      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
        [`${name}_receiver`],
      );
      await until(() => !receiver.connected, 'the receiver lost its connection');
      send(2, 'thread.message.delta');
      send(3, 'thread.message.delta');
      send(4, 'thread.run.completed');
      await streamed;
      expect(seen).toEqual([1, 2, 3, 4]);
    } finally {
      await admin.end();
      await Promise.all([sender.close(), receiver.close()]);
      await store.close();
    }
  });
});
