/**
 * A worker never runs one run twice. Its heartbeat judges only the runs whose leases it asked to
 * renew: a run the worker took on while a renewal was on its way is not in that renewal's answer, and
 * was once handed back as if its lease were lost (its model call cut off, the run taken again and its
 * first request sent twice). And a run of its own whose lease lapsed (the loop held up past it) is
 * not started a second time when its own claim finds it.
 */
import { describe, expect, it } from 'vitest';
import { useRunTestBed, waitForRun } from '../../test/helpers/run-test-bed.ts';

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('the worker heartbeat', () => {
  /** Set, the next lease renewal's answer waits for it before it is returned. */
  let holdRenewal: (() => Promise<void>) | undefined;
  let heldBack = false;
  /** While set, renewals answer that every lease is held but renew none: leases lapse. */
  let skipRenewals = false;
  // A one-second lease: a heartbeat every 333 ms.
  const bed = useRunTestBed({
    config: { leaseSeconds: 1 },
    prepareStore: (store) => {
      const { runs } = store;
      const renewLeases = runs.renewLeases;
      runs.renewLeases = async (...args) => {
        if (skipRenewals) return args[1].map((id) => ({ id, status: 'in_progress' as const }));
        const renewed = await renewLeases.apply(runs, args);
        const hold = holdRenewal;
        holdRenewal = undefined;
        if (hold) {
          heldBack = true;
          await hold();
        }
        return renewed;
      };
    },
  });

  it('keeps a run taken on while a lease renewal is on its way', async () => {
    const { app, client, upstream } = bed;
    upstream.respondWith((body) => ({
      text: `Answer to ${body.messages.at(-1).content}: one two three four five six`,
      chunkDelayMs: body.messages.at(-1).content === 'first' ? 150 : 60,
    }));
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
    const start = (content: string) =>
      client.beta.threads.createAndRun({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content }] },
      });
    // The first run keeps the heartbeat renewing while the second starts.
    const first = await start('first');
    await waitForRun(client, first.thread_id, first.id, (run) => run.status === 'in_progress');

    // The next renewal's answer comes back only once the second run is executing too.
    holdRenewal = async () => {
      while (app.worker!.active < 2) await sleep(5);
    };
    await sleep(400); // a heartbeat is now waiting
    expect(heldBack).toBe(true);
    const second = await start('second');
    const ended = await Promise.all(
      [first, second].map((run) =>
        waitForRun(client, run.thread_id, run.id, (seen) => seen.status === 'completed'),
      ),
    );
    expect(ended.map((run) => run.status)).toEqual(['completed', 'completed']);
    const asked = upstream.requests.map((request) => request.body.messages.at(-1).content);
    expect(asked).toEqual(['first', 'second']);
    expect(upstream.abortedResponses).toBe(0);
  });

  it("does not start its own run again when the run's lease lapsed under it", async () => {
    const { client, upstream } = bed;
    const before = upstream.requests.length;
    upstream.respondWith(() => ({
      text: 'one two three four five six seven eight nine ten',
      chunkDelayMs: 250,
    }));
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
    const run = await client.beta.threads.createAndRun({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'lapsing' }] },
    });
    await waitForRun(client, run.thread_id, run.id, (seen) => seen.status === 'in_progress');
    // The lease (one second) lapses, and the worker's poll (every second) finds the run claimable.
    skipRenewals = true;
    await sleep(2_200);
    skipRenewals = false;
    const ended = await waitForRun(
      client,
      run.thread_id,
      run.id,
      (seen) => seen.status === 'completed',
    );
    expect(ended.status).toBe('completed');
    expect(upstream.requests.length - before).toBe(1);
    const messages = await client.beta.threads.messages.list(run.thread_id);
    expect(messages.data.map((message) => message.role)).toEqual(['assistant', 'user']);
  });
});
