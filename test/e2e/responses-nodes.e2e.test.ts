/**
 * Two nodes on one PostgreSQL schema: an API-only node takes responses, a node with a worker runs
 * them, and a background response is cancelled through the node that does not run it.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../helpers/postgres.ts';
import { startScriptedModel, type ScriptedModel } from '../helpers/scripted-model.ts';
import { startTwoNodes, type TwoNodes } from '../helpers/two-nodes.ts';

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still waiting: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!postgresAvailable)('responses on two nodes sharing PostgreSQL', () => {
  let upstream: ScriptedModel;
  let nodes: TwoNodes;
  let api: OpenAI;

  beforeAll(async () => {
    upstream = await startScriptedModel();
    nodes = await startTwoNodes(upstream.url);
    api = nodes.api;
  });
  afterAll(async () => {
    await nodes?.close();
    await upstream.stop();
  });

  it('runs a response created on the API node, and chains it, on the worker node', async () => {
    upstream.enqueue({ text: 'From the worker.' }, { text: 'Still the worker.' });
    const first = await api.responses.create({ model: 'gpt-4o', input: 'Hello' });
    expect(first.output_text).toBe('From the worker.');
    const second = await api.responses.create({
      model: 'gpt-4o',
      input: 'Again',
      previous_response_id: first.id,
    });
    expect(second.output_text).toBe('Still the worker.');
    expect(upstream.lastRequest.messages.map((message: any) => message.content)).toEqual([
      'Hello',
      'From the worker.',
      'Again',
    ]);
  });

  it('cancels a background response from the node that does not run it', async () => {
    upstream.enqueue({ text: 'slow '.repeat(500), chunkDelayMs: 20 });
    const queued = await api.responses.create({
      model: 'gpt-4o',
      input: 'Take your time',
      background: true,
    });
    await waitFor(
      () => api.responses.retrieve(queued.id),
      (response) => response.output_text.length > 0,
    );
    await api.responses.cancel(queued.id);
    const cancelled = await waitFor(
      () => api.responses.retrieve(queued.id),
      (response) => response.status === 'cancelled',
    );
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.output_text.length).toBeLessThan('slow '.repeat(500).length);
  });
});
