/**
 * Guards the lean adapter's delivery structure, without timing anything: a part queued from the
 * response's `data` listener reaches the reader through the resilient wrapper in a fixed, small number
 * of promise hops (async generators and the response's stream iterator added several per layer); the
 * response body is never read through its async iterator; and a reader that stops asking pauses the
 * response (so its socket is not read) until it asks again.
 */
import { createServer, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readCountingHops } from '../../../test/helpers/promise-hops.ts';
import { HI_REQUEST } from '../../../test/helpers/model-request.ts';
import { withResilience } from '../resilient-language-model.ts';
import { OpenAIChatLanguageModel } from './openai-chat-language-model.ts';

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

describe('the lean adapter delivers parts from one listener', () => {
  let baseURL: string;
  let mode: 'burst' | 'flood' = 'burst';
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    if (mode === 'burst') {
      // Ten tokens in one write: after the first, nine parts wait queued.
      let body = '';
      for (let i = 0; i < 10; i++) body += chunk({ content: `t${i}` });
      response.end(body + chunk({}, 'stop') + 'data: [DONE]\n\n');
      return;
    }
    // 2,000 tokens of 1 kB at once: far more than one socket read.
    response.end(
      chunk({ content: 'x'.repeat(1000) }).repeat(2000) + chunk({}, 'stop') + 'data: [DONE]\n\n',
    );
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  const resilient = () =>
    withResilience(new OpenAIChatLanguageModel({ baseURL, modelId: 'm' }), {
      attempts: 1,
      baseDelayMs: 10,
      maxDelayMs: 10,
      idleTimeoutMs: 5000,
    });

  const reader = (signal: AbortSignal) => {
    const parts = resilient().stream(HI_REQUEST, signal);
    return parts[Symbol.asyncIterator]();
  };

  it('hands each queued token to the reader in at most two promise hops', async () => {
    mode = 'burst';
    const streamIterator = vi.spyOn(Readable.prototype, Symbol.asyncIterator);
    const iterator = reader(new AbortController().signal);
    const first = await iterator.next();
    expect(first.value).toEqual({ type: 'text-delta', delta: 't0' });
    const { values: parts, counts } = await readCountingHops(iterator);
    expect(parts.map((part) => part.type)).toEqual([...Array(9).fill('text-delta'), 'finish']);
    // The nine queued tokens, each in ≤ 2 hops (the generators took 5 each).
    expect(Math.max(...counts.slice(0, 9))).toBeLessThanOrEqual(2);
    expect(streamIterator).not.toHaveBeenCalled();
    streamIterator.mockRestore();
  });

  it('re-arms its stall timer per part instead of making a timer per part', async () => {
    mode = 'burst';
    const iterator = reader(new AbortController().signal);
    expect((await iterator.next()).done).toBe(false);
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const { values: parts } = await readCountingHops(iterator);
    expect(parts).toHaveLength(10);
    expect(timers).not.toHaveBeenCalled();
    timers.mockRestore();
  });

  it('pauses the response while parts wait unread, and resumes when the reader asks', async () => {
    mode = 'flood';
    const pause = vi.spyOn(IncomingMessage.prototype, 'pause');
    const resume = vi.spyOn(IncomingMessage.prototype, 'resume');
    const iterator = reader(new AbortController().signal);
    expect((await iterator.next()).done).toBe(false);
    // The reader holds the first part: the rest of the socket read waits queued, the socket paused.
    expect(pause).toHaveBeenCalled();
    let texts = 1;
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      if (next.value.type === 'text-delta') texts++;
    }
    expect(texts).toBe(2000);
    expect(resume).toHaveBeenCalled();
    pause.mockRestore();
    resume.mockRestore();
  });
});
