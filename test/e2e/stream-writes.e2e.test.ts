/**
 * A structural guard on the socket writes of a streamed run's start: a client is woken once per write,
 * and on a small machine each wake-up competes for a CPU with the server and the model. The frames a
 * run's start produces together go out in one write each: the run's created, queued and in_progress
 * (with the response's head), and the first token's step created and in progress, message created and
 * in progress and first delta. It counts the server's writes (net.Socket's `_write`/`_writev`, one
 * call per write to the kernel), not time. And the model request leaves first: a created run's stream
 * is set up (its response head made) only after this process's worker has written the request.
 */
import { ServerResponse } from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useRunTestBed } from '../helpers/run-test-bed.ts';

type WriteMethod = (this: net.Socket, ...args: unknown[]) => unknown;
const socketPrototype = net.Socket.prototype as unknown as Record<
  '_write' | '_writev',
  WriteMethod
>;
const originals = { _write: socketPrototype._write, _writev: socketPrototype._writev };

/** The text of each write the server made on a recorded port, in order. */
const writes: string[] = [];
/** The pieces handed to the kernel in each of those writes (`_writev` hands several). */
const pieces: number[] = [];
let serverPort = 0;
/**
 * While recording, in order: `request` for each write to the upstream (the model request), `head` for
 * each SSE response head the server sets.
 */
const order: Array<'request' | 'head'> = [];
let upstreamPort = 0;
const { writeHead } = ServerResponse.prototype;
ServerResponse.prototype.writeHead = function (
  this: ServerResponse,
  ...args: Parameters<typeof writeHead>
) {
  const headers = args.find((arg) => typeof arg === 'object') as
    Record<string, unknown> | undefined;
  if (upstreamPort !== 0 && String(headers?.['content-type']).startsWith('text/event-stream'))
    order.push('head');
  return writeHead.apply(this, args);
} as typeof writeHead;
afterAll(() => void (ServerResponse.prototype.writeHead = writeHead));

function textOf(chunk: unknown): string {
  return typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
}

socketPrototype._write = function (this: net.Socket, ...args: unknown[]) {
  if (upstreamPort !== 0 && this.remotePort === upstreamPort) order.push('request');
  if (serverPort !== 0 && this.localPort === serverPort) {
    writes.push(textOf(args[0]));
    pieces.push(1);
  }
  return originals._write.apply(this, args);
};
socketPrototype._writev = function (this: net.Socket, ...args: unknown[]) {
  if (upstreamPort !== 0 && this.remotePort === upstreamPort) order.push('request');
  if (serverPort !== 0 && this.localPort === serverPort) {
    const chunks = args[0] as Array<{ chunk: unknown }>;
    writes.push(chunks.map(({ chunk }) => textOf(chunk)).join(''));
    pieces.push(chunks.length);
  }
  return originals._writev.apply(this, args);
};
afterAll(() => Object.assign(socketPrototype, originals));

const bed = useRunTestBed();

/** The SSE event names in one write, in order. */
function eventsOf(write: string): string[] {
  return [...write.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]!);
}

/** The events of the first write that carries `event`. */
function writeWith(event: string): string[] {
  const write = writes.find((text) => eventsOf(text).includes(event));
  expect(write, `no write carries ${event}`).toBeDefined();
  return eventsOf(write!);
}

async function streamedRun(start: () => { finalRun(): Promise<{ status: string }> }) {
  // The answer starts after the run's start, as a model's does, and its words come one by one.
  bed.upstream.enqueue({ chunks: ['Hello', ' there'], delayMs: 20, chunkDelayMs: 20 });
  serverPort = Number(new URL(bed.baseURL).port);
  writes.length = 0;
  pieces.length = 0;
  try {
    expect((await start().finalRun()).status).toBe('completed');
  } finally {
    serverPort = 0;
  }
}

beforeAll(async () => {
  // The first run of a process loads the token encoding before its start commit, past the time a
  // stream holds its first frames for it (START_WAIT_MS): a warm process is what this counts.
  const assistant = await bed.client.beta.assistants.create({ model: 'gpt-4o' });
  bed.upstream.enqueue({ text: 'Warm' });
  await bed.client.beta.threads
    .createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Hi' }] },
    })
    .finalRun();
});

it("a run's start frames and its first token's frames each go out in one socket write", async () => {
  const assistant = await bed.client.beta.assistants.create({ model: 'gpt-4o' });
  const thread = await bed.client.beta.threads.create({
    messages: [{ role: 'user', content: 'Hi' }],
  });
  await streamedRun(() =>
    bed.client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }),
  );
  expect(writes[0]).toMatch(/^HTTP\/1\.1 200/);
  expect(eventsOf(writes[0]!)).toEqual([
    'thread.run.created',
    'thread.run.queued',
    'thread.run.in_progress',
  ]);
  expect(writeWith('thread.run.step.created')).toEqual([
    'thread.run.step.created',
    'thread.run.step.in_progress',
    'thread.message.created',
    'thread.message.in_progress',
    'thread.message.delta',
  ]);
});

it('createAndRunStream: the thread, the run and its start in one write', async () => {
  const assistant = await bed.client.beta.assistants.create({ model: 'gpt-4o' });
  await streamedRun(() =>
    bed.client.beta.threads.createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Hi' }] },
    }),
  );
  expect(eventsOf(writes[0]!)).toEqual([
    'thread.created',
    'thread.run.created',
    'thread.run.queued',
    'thread.run.in_progress',
  ]);
  expect(writeWith('thread.message.created')).toContain('thread.message.delta');
});

it('after the head, each write is one piece: the frames of a turn as one chunk', async () => {
  const assistant = await bed.client.beta.assistants.create({ model: 'gpt-4o' });
  await streamedRun(() =>
    bed.client.beta.threads.createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Hi' }] },
    }),
  );
  // The head goes with the first frames; then every write is one buffer, not a writev of a chunk
  // size, the text and a CRLF per frame (ServerResponse.write's chunked encoding), but the last: its
  // frames with the encoding's end. The writes stay what the turns make: the start, the first token
  // with its openings, the second token, and the end (the last delta, the closings, the run's
  // completion and done: one turn or two).
  expect(writes[0]).toMatch(/^HTTP\/1\.1 200/);
  expect(writes.length).toBeLessThanOrEqual(5);
  expect(pieces.slice(1, -1)).toEqual(pieces.slice(1, -1).map(() => 1));
  expect(pieces.at(-1)).toBe(2);
  expect(writes.at(-1)).toMatch(/event: done\ndata: \[DONE\]\n\n\r\n0\r\n\r\n$/);
  // Each later write is one chunk of the chunked encoding: its size in hex, the frames, a CRLF.
  for (const write of writes.slice(1)) {
    const match = /^([0-9a-f]+)\r\n([\s\S]*?)\r\n(?:0\r\n\r\n)?$/.exec(write);
    expect(match, write).not.toBeNull();
    expect(Buffer.byteLength(match![2]!).toString(16)).toBe(match![1]);
  }
});

it("the model request is written before the run's stream is set up", async () => {
  const assistant = await bed.client.beta.assistants.create({ model: 'gpt-4o' });
  const thread = await bed.client.beta.threads.create({
    messages: [{ role: 'user', content: 'Hi' }],
  });
  upstreamPort = Number(new URL(bed.upstream.url).port);
  order.length = 0;
  try {
    await streamedRun(() =>
      bed.client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }),
    );
  } finally {
    upstreamPort = 0;
  }
  // The request's one write first, then the stream's head.
  expect(order.slice(0, 2)).toEqual(['request', 'head']);
});
