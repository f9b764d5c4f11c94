/**
 * A2A costs, each against a baseline measured in the same run:
 * 1. Calling a remote agent: Concierge's A2A client (allowlist guard, card checks, tracking, fenced text)
 *    versus @a2a-js/sdk's bare client, both against the scripted SDK server on loopback.
 * 2. Serving an assistant: one turn through its A2A endpoint (SendMessage, and SendStreamingMessage) versus
 *    the same turn through the Assistants API (createAndRun, streamed, with the official SDK), against
 *    the same scripted model answering at once.
 * Run: node --import tsx bench/a2a.ts [turns=100]
 */
import { randomUUID } from 'node:crypto';
import { Message } from '@a2a-js/sdk';
import {
  ClientFactory,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  type Client,
} from '@a2a-js/sdk/client';
import OpenAI from 'openai';
import { createA2aClient } from '../src/service-agents/a2a/a2a-client.ts';
import { startTestA2aServer } from '../test/helpers/a2a-server.ts';
import { startScriptedModel } from '../test/helpers/scripted-model.ts';
import { createListeningTestApp } from '../test/helpers/test-app.ts';
import { machineDescription } from './lib/machine.ts';
import { median, milliseconds, percentile } from './lib/stats.ts';

const turns = Number(process.argv[2] ?? 100);
const WARMUP = 5;

/** Runs the cases in turn (round-robin, so drift in machine load hits them alike); the first is the baseline. */
async function compare(cases: Array<[name: string, work: () => Promise<unknown>]>): Promise<void> {
  for (let index = 0; index < WARMUP; index++) for (const [, work] of cases) await work();
  const samples = cases.map((): number[] => []);
  for (let index = 0; index < turns; index++) {
    for (const [position, [, work]] of cases.entries()) {
      const start = performance.now();
      await work();
      samples[position]!.push(performance.now() - start);
    }
  }
  const baseline = median(samples[0]!);
  cases.forEach(([name], position) => {
    const values = samples[position]!;
    const ratio =
      position === 0
        ? 'baseline'
        : `${(median(values) / baseline).toFixed(2)}× (p25 ${(percentile(values, 0.25) / percentile(samples[0]!, 0.25)).toFixed(2)}×)`;
    rows.push([
      name,
      milliseconds(median(values)),
      milliseconds(percentile(values, 0.25)),
      milliseconds(percentile(values, 0.95)),
      ratio,
    ]);
  });
}

const rows: string[][] = [];

const withKey: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('authorization', 'Bearer bench');
  return fetch(input, { ...init, headers });
};
const message = (text: string) =>
  Message.fromJSON({ messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text }] });
const request = (text: string) => ({
  tenant: '',
  message: message(text),
  configuration: undefined,
  metadata: undefined,
});
async function drain(client: Client, text: string): Promise<void> {
  for await (const _event of client.sendMessageStream(request(text))) {
    // consume the stream
  }
}

// 1. Calling a remote agent.
const remote = await startTestA2aServer();
try {
  const bare = await new ClientFactory().createFromUrl(remote.cardUrl('echo'), '');
  const bareBlocking = await new ClientFactory().createFromUrl(
    remote.cardUrl('echo', 'blocking'),
    '',
  );
  const ours = createA2aClient({ allowedHosts: ['127.0.0.1'] });
  const send = (mode: 'stream' | 'blocking') => () =>
    ours.send(remote.url('echo', mode), { text: 'ping' }, { signal: AbortSignal.timeout(10_000) });
  await compare([
    ['remote agent, streamed: @a2a-js/sdk client', () => drain(bare, 'ping')],
    ['remote agent, streamed: Concierge A2A client', send('stream')],
  ]);
  await compare([
    ['remote agent, blocking: @a2a-js/sdk client', () => bareBlocking.sendMessage(request('ping'))],
    ['remote agent, blocking: Concierge A2A client', send('blocking')],
  ]);
} finally {
  await remote.stop();
}

// 2. Serving an assistant.
const upstream = await startScriptedModel();
upstream.respondWith(() => ({ text: 'pong' }));
const { app, baseURL } = await createListeningTestApp({
  config: { providerBaseUrl: upstream.url },
});
try {
  const openai = new OpenAI({ baseURL, apiKey: 'bench', maxRetries: 0 });
  const assistant = await openai.beta.assistants.create({ model: 'bench', name: 'Bench' });
  const served = await new ClientFactory({
    transports: [new JsonRpcTransportFactory({ fetchImpl: withKey })],
    cardResolver: new DefaultAgentCardResolver({ fetchImpl: withKey }),
  }).createFromUrl(`${baseURL}/a2a/${assistant.id}/.well-known/agent-card.json`, '');
  await compare([
    [
      'assistant turn: Assistants API createAndRun, streamed (official SDK)',
      async () => {
        const stream = await openai.beta.threads.createAndRun({
          assistant_id: assistant.id,
          thread: { messages: [{ role: 'user', content: 'ping' }] },
          stream: true,
        });
        for await (const _event of stream) {
          // consume the stream
        }
      },
    ],
    ['assistant turn: A2A SendMessage (blocking)', () => served.sendMessage(request('ping'))],
    ['assistant turn: A2A SendStreamingMessage', () => drain(served, 'ping')],
  ]);
} finally {
  await app.destroy();
  await upstream.stop();
}

console.log(
  `A2A benchmark, ${turns} sequential turns after ${WARMUP} warm-up, on ${machineDescription()}`,
);
// On a shared machine the median carries other processes' load; p25 is closer to the code's own cost.
console.log('| case | median | p25 | p95 | vs the first of its group |\n|---|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
