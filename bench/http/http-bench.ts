/**
 * Requests per second for a create-message + list-messages mix: Concierge on SQLite against a bare
 * Fastify server with canned answers (the headline baseline), and against bare Fastify doing the same
 * SQLite work with raw better-sqlite3 (for context). Each server runs in its own process; the servers are
 * measured in alternating rounds and medians are compared, so a noisy neighbour hits all of them alike.
 * Run: node --import tsx bench/http/http-bench.ts [secondsPerRound=3] [rounds=5]
 */
import autocannon from 'autocannon';
import { startChildServer, type ChildServer } from '../lib/child-server.ts';
import { machineDescription } from '../lib/machine.ts';
import { cpuMilliseconds } from '../lib/process-cpu.ts';
import { median } from '../lib/stats.ts';

const seconds = Number(process.argv[2] ?? 3);
const rounds = Number(process.argv[3] ?? 5);
const connections = 16;

async function measure(
  server: ChildServer,
  threadId: string,
  duration: number,
): Promise<{ rps: number; p99: number; errors: number; cpuPerRequest: number }> {
  const cpuBefore = cpuMilliseconds(server.process.pid!);
  const result = await autocannon({
    url: server.url.replace(/\/v1$/, ''),
    connections,
    duration,
    headers: {
      authorization: 'Bearer bench',
      'content-type': 'application/json',
      'openai-beta': 'assistants=v2',
    },
    requests: [
      {
        method: 'POST',
        path: `/v1/threads/${threadId}/messages`,
        body: JSON.stringify({ role: 'user', content: 'How does a bare server compare?' }),
      },
      { method: 'GET', path: `/v1/threads/${threadId}/messages?limit=20` },
    ],
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    // The server's own CPU (µs) per request: steadier than req/s when neighbours take the cores.
    cpuPerRequest:
      ((cpuMilliseconds(server.process.pid!) - cpuBefore) * 1000) / result.requests.total,
  };
}

async function main() {
  console.log(`machine: ${machineDescription()}`);
  console.log(
    `mix: POST a message + GET the newest 20, ${connections} connections, ${rounds} alternating rounds of ${seconds}s\n`,
  );
  const servers: Array<[string, ChildServer]> = [
    ['bare Fastify, canned JSON', await startChildServer('bench/http/bare-fastify-server.ts')],
    ['bare Fastify + raw SQLite', await startChildServer('bench/http/bare-sqlite-server.ts')],
    ['Concierge (SQLite)', await startChildServer('bench/http/concierge-server.ts')],
  ];
  try {
    const concierge = servers[2]![1];
    const thread = await fetch(`${concierge.url}/threads`, {
      method: 'POST',
      headers: { authorization: 'Bearer bench', 'content-type': 'application/json' },
      body: '{}',
    }).then((response) => response.json() as Promise<{ id: string }>);
    for (const [, server] of servers) await measure(server, thread.id, 1);
    const results = servers.map(() => ({
      rps: [] as number[],
      p99: [] as number[],
      cpu: [] as number[],
      errors: 0,
    }));
    for (let round = 0; round < rounds; round++) {
      for (const [index, [, server]] of servers.entries()) {
        const result = await measure(server, thread.id, seconds);
        results[index]!.rps.push(result.rps);
        results[index]!.cpu.push(result.cpuPerRequest);
        results[index]!.p99.push(result.p99);
        results[index]!.errors += result.errors;
      }
    }
    const medians = results.map((result) => median(result.rps));
    servers.forEach(([name], index) => {
      console.log(
        `${name.padEnd(28)} ${medians[index]!.toFixed(0).padStart(6)} req/s (median), server CPU ${median(results[index]!.cpu).toFixed(0)} µs/request, p99 ${median(results[index]!.p99)} ms, errors ${results[index]!.errors}`,
      );
    });
    console.log(
      `\nratio Concierge / bare Fastify (canned):   ${(medians[2]! / medians[0]!).toFixed(2)} (aim ≥ 0.5)`,
    );
    console.log(
      `ratio Concierge / bare Fastify + SQLite:   ${(medians[2]! / medians[1]!).toFixed(2)}`,
    );
    const cpu = results.map((result) => median(result.cpu));
    console.log(
      `server CPU per request, Concierge − bare + SQLite: ${(cpu[2]! - cpu[1]!).toFixed(0)} µs (the framework's own cost)`,
    );
  } finally {
    for (const [, server] of servers) await server.stop();
  }
}

await main();
