/**
 * The Responses API against Assistants runs on the same server, in one run: time to first token
 * added over calling the fixed-latency upstream directly, and the server's CPU time per response,
 * for a streamed Assistants run (`createAndRunStream`, one request like a response), a streamed
 * response (`responses.stream`) and a response over the WebSocket mode (`ResponsesWS`). The kinds
 * alternate in rounds so that the shared machine's load falls on each alike.
 * Run: node --import tsx bench/responses/responses-bench.ts [perRound=10] [rounds=3]
 * CPU time is read from /proc/<pid>/stat (Linux), in clock ticks of 10 ms.
 */
import OpenAI from 'openai';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { startChildServer } from '../lib/child-server.ts';
import { streamDirect } from '../lib/direct-stream.ts';
import { machineDescription } from '../lib/machine.ts';
import { cpuMilliseconds } from '../lib/process-cpu.ts';
import { median, milliseconds } from '../lib/stats.ts';

const perRound = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 3);
const TOKENS = 50;
const INTERVAL = 10;

/** Resolves with the time of the first token; fails unless all TOKENS arrived and it completed. */
type Kind = (start: number) => Promise<number>;

async function direct(client: OpenAI): Promise<number> {
  const { start, arrivals } = await streamDirect(client);
  return arrivals[0]! - start;
}

function assistantsRun(client: OpenAI, assistantId: string): Kind {
  return async (start) => {
    let first = 0;
    let deltas = 0;
    const stream = client.beta.threads.createAndRunStream({
      assistant_id: assistantId,
      thread: { messages: [{ role: 'user', content: 'go' }] },
    });
    stream.on('textDelta', () => {
      if (deltas++ === 0) first = performance.now();
    });
    const run = await stream.finalRun();
    if (run.status !== 'completed' || deltas !== TOKENS)
      throw new Error(`run ended ${run.status} with ${deltas} deltas`);
    return first - start;
  };
}

function responseOverSse(client: OpenAI): Kind {
  return async (start) => {
    let first = 0;
    let deltas = 0;
    const stream = client.responses.stream({ model: 'bench', input: 'go' });
    stream.on('response.output_text.delta', () => {
      if (deltas++ === 0) first = performance.now();
    });
    const response = await stream.finalResponse();
    if (response.status !== 'completed' || deltas !== TOKENS)
      throw new Error(`response ended ${response.status} with ${deltas} deltas`);
    return first - start;
  };
}

function responseOverSocket(socket: ResponsesWS): Kind {
  return (start) =>
    new Promise((resolve, reject) => {
      let first = 0;
      let deltas = 0;
      const onEvent = (event: OpenAI.Responses.ResponsesServerEvent) => {
        if (event.type === 'response.output_text.delta' && deltas++ === 0)
          first = performance.now();
        if (event.type === 'response.completed' || event.type === 'error') {
          socket.off('event', onEvent);
          if (event.type === 'error' || deltas !== TOKENS)
            reject(new Error(`socket: ${JSON.stringify(event).slice(0, 300)}, ${deltas} deltas`));
          else resolve(first - start);
        }
      };
      socket.on('event', onEvent);
      socket.send({ type: 'response.create', model: 'bench', input: 'go' });
    });
}

interface Figures {
  firstTokens: number[];
  cpu: number;
  count: number;
}

async function main() {
  console.log(`machine: ${machineDescription()}`);
  console.log(
    `upstream: first token after 20 ms, ${TOKENS} tokens ${INTERVAL} ms apart; Concierge on SQLite in its own process (API and worker); ${rounds} rounds of ${perRound} per kind, alternating\n`,
  );
  const upstream = await startChildServer('bench/lib/fixed-latency-upstream.ts', {
    TOKENS: String(TOKENS),
    TOKEN_INTERVAL_MS: String(INTERVAL),
  });
  const concierge = await startChildServer('bench/runs/concierge-server.ts', {
    UPSTREAM_URL: upstream.url,
  });
  const upstreamClient = new OpenAI({ baseURL: upstream.url, apiKey: 'bench', maxRetries: 0 });
  const client = new OpenAI({ baseURL: concierge.url, apiKey: 'bench', maxRetries: 0 });
  const socket = new ResponsesWS(client);
  socket.on('error', (error) => console.error(`socket error: ${error.message}`));
  try {
    const assistant = await client.beta.assistants.create({ model: 'bench' });
    const kinds: Record<string, Kind> = {
      'Assistants run (SSE)': assistantsRun(client, assistant.id),
      'response (SSE)': responseOverSse(client),
      'response (WebSocket)': responseOverSocket(socket),
    };
    const figures = new Map<string, Figures>(
      Object.keys(kinds).map((name) => [name, { firstTokens: [], cpu: 0, count: 0 }]),
    );
    const directFirst: number[] = [];
    for (const kind of Object.values(kinds))
      for (let index = 0; index < 3; index++) await kind(performance.now());
    for (let round = 0; round < rounds; round++) {
      for (const [name, kind] of Object.entries(kinds)) {
        const entry = figures.get(name)!;
        const before = cpuMilliseconds(concierge.process.pid!);
        for (let index = 0; index < perRound; index++) {
          directFirst.push(await direct(upstreamClient));
          entry.firstTokens.push(await kind(performance.now()));
        }
        // The worker settles a run just after its last event: let it finish before reading.
        await new Promise((resolve) => setTimeout(resolve, 100));
        entry.cpu += cpuMilliseconds(concierge.process.pid!) - before;
        entry.count += perRound;
      }
    }
    const baseline = median(directFirst);
    console.log(
      `time to first token, direct to the upstream: ${milliseconds(baseline)} (median)\n`,
    );
    console.log(
      'kind                    TTFT (median)   added over direct   server CPU per response',
    );
    const runs = figures.get('Assistants run (SSE)')!;
    for (const [name, entry] of figures) {
      const first = median(entry.firstTokens);
      const cpu = entry.cpu / entry.count;
      const ratio =
        name === 'Assistants run (SSE)'
          ? ''
          : ` (${(cpu / (runs.cpu / runs.count)).toFixed(2)}× a run)`;
      console.log(
        `${name.padEnd(24)}${milliseconds(first).padEnd(16)}${milliseconds(first - baseline).padEnd(20)}${milliseconds(cpu)}${ratio}`,
      );
    }
  } finally {
    socket.close();
    await concierge.stop();
    await upstream.stop();
  }
}

await main();
