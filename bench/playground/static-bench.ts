/**
 * What serving the playground costs: requests per second for `/` (index.html) and the JS bundle
 * (brotli), against `/health` on the same server in the same run (the cheapest route Concierge has),
 * plus the bytes a first visit downloads. Concierge runs in its own process, as `npm start` runs it.
 * Run: node --import tsx bench/playground/static-bench.ts [seconds]
 */
import autocannon from 'autocannon';
import { startChildServer } from '../lib/child-server.ts';
import { machineDescription } from '../lib/machine.ts';

const seconds = Number(process.argv[2] ?? 5);
const connections = 16;

async function measure(origin: string, path: string, headers: Record<string, string> = {}) {
  const result = await autocannon({
    url: `${origin}${path}`,
    connections,
    duration: seconds,
    headers,
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    throughput: result.throughput.average,
  };
}

async function main() {
  console.log(`machine: ${machineDescription()}`);
  console.log(`${connections} connections, ${seconds}s per route, after a warm-up run of each\n`);
  const server = await startChildServer('bench/http/concierge-server.ts');
  const origin = server.url.replace(/\/v1$/, '');
  try {
    const index = await (await fetch(`${origin}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index)![1]!;
    const style = /href="(\/assets\/[^"]+\.css)"/.exec(index)![1]!;
    const brotli = { 'accept-encoding': 'gzip, deflate, br' };
    let wire = 0;
    let raw = 0;
    for (const path of ['/', script, style, '/favicon.svg']) {
      // fetch decompresses the body; content-length is what crossed the wire.
      const response = await fetch(`${origin}${path}`, { headers: brotli });
      const body = (await response.arrayBuffer()).byteLength;
      raw += body;
      wire += Number(response.headers.get('content-length') ?? body);
    }
    console.log(
      `first visit: ${(raw / 1024).toFixed(1)} KiB of files, ${(wire / 1024).toFixed(1)} KiB on the wire (brotli)\n`,
    );

    const routes: Array<[string, string, Record<string, string>]> = [
      ['/health (baseline)', '/health', {}],
      ['/ (index.html)', '/', brotli],
      ['/threads/x (SPA fallback)', '/threads/thread_x', brotli],
      [`${script} (brotli)`, script, brotli],
    ];
    const results = [];
    for (const [label, path, headers] of routes) {
      await measure(origin, path, headers);
      results.push([label, await measure(origin, path, headers)] as const);
    }
    const baseline = results[0]![1].rps;
    for (const [label, result] of results) {
      console.log(
        `${label.padEnd(44)} ${result.rps.toFixed(0).padStart(7)} req/s  p99 ${String(result.p99).padStart(3)} ms  errors ${result.errors}  ratio to /health ${(result.rps / baseline).toFixed(2)}`,
      );
    }
  } finally {
    await server.stop();
  }
}

await main();
