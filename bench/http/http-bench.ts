/**
 * Requests per second for a create-message + list-messages mix: Concierge on SQLite against a bare
 * Fastify server with canned answers, measured in the same run, each in its own process.
 * Run: node --import tsx bench/http/http-bench.ts [seconds]
 */
import autocannon from 'autocannon';
import { machineDescription } from '../lib/machine.ts';
import { startChildServer } from '../lib/child-server.ts';

const seconds = Number(process.argv[2] ?? 10);
const connections = 16;

async function measure(baseUrl: string, threadId: string): Promise<{ rps: number; p99: number; errors: number }> {
  const result = await autocannon({
    url: baseUrl.replace(/\/v1$/, ''),
    connections,
    duration: seconds,
    headers: { authorization: 'Bearer bench', 'content-type': 'application/json', 'openai-beta': 'assistants=v2' },
    requests: [
      { method: 'POST', path: `/v1/threads/${threadId}/messages`, body: JSON.stringify({ role: 'user', content: 'How does a bare server compare?' }) },
      { method: 'GET', path: `/v1/threads/${threadId}/messages?limit=20` },
    ],
  });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function main() {
  console.log(`machine: ${machineDescription()}`);
  console.log(`mix: POST message + GET 20 messages, ${connections} connections, ${seconds}s each\n`);

  const bare = await startChildServer('bench/http/bare-fastify-server.ts');
  const concierge = await startChildServer('bench/http/concierge-server.ts');
  try {
    const thread = await fetch(`${concierge.url}/threads`, { method: 'POST', headers: { authorization: 'Bearer bench', 'content-type': 'application/json' }, body: '{}' }).then((response) => response.json() as Promise<{ id: string }>);
    await measure(bare.url, thread.id); // warm-up of both the client and the baseline
    const baseline = await measure(bare.url, thread.id);
    await measure(concierge.url, thread.id);
    const ours = await measure(concierge.url, thread.id);
    console.log(`bare Fastify:   ${baseline.rps.toFixed(0)} req/s, p99 ${baseline.p99} ms, errors ${baseline.errors}`);
    console.log(`Concierge:      ${ours.rps.toFixed(0)} req/s, p99 ${ours.p99} ms, errors ${ours.errors}`);
    console.log(`ratio Concierge / bare: ${(ours.rps / baseline.rps).toFixed(2)} (aim ≥ 0.40)`);
  } finally {
    await bare.stop();
    await concierge.stop();
  }
}

await main();
