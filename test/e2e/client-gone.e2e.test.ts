/**
 * A client that leaves a request whose answer waits on a model call: the call is stopped, since no
 * one will read its answer and its tokens count against the project. Node emits a request's `close`
 * once its body is read, client there or not; the response's `close` is the one that says it left.
 */
import { describe, expect, it } from 'vitest';
import { useRunTestBed } from '../helpers/run-test-bed.ts';
import { waitFor } from '../helpers/wait-for.ts';

describe('a client that leaves before its answer', () => {
  const bed = useRunTestBed();

  it('stops the compaction it asked for', async () => {
    // The summary takes 4 s to come: the client leaves first.
    bed.upstream.respondWith(() => ({ text: 'A summary.', delayMs: 4000 }));
    const before = bed.upstream.requests.length;
    const controller = new AbortController();
    const asked = fetch(`${bed.baseURL}/responses/compact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', input: 'Hello there' }),
      signal: controller.signal,
    }).catch(() => undefined);
    await waitFor(async () => bed.upstream.requests.length > before, 'the summary request');
    controller.abort();
    await asked;
    await waitFor(
      async () => bed.upstream.abortedResponses > 0,
      'the model call to be stopped',
      3000,
    );
    expect(bed.upstream.abortedResponses).toBe(1);
  });
});
