/** Runs `concierge serve` as a real child process, for tests that kill, stop and restart servers. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/concierge.mjs');

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface ServerProcess {
  baseURL: string;
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `concierge <args>` and waits until `ready` says so; kills it and throws if it exits or takes a minute. */
async function startProcess(
  what: string,
  args: string[],
  environment: Record<string, string>,
  nodeArguments: string[],
  ready: (output: string) => Promise<boolean>,
): Promise<Omit<ServerProcess, 'baseURL'>> {
  const child = spawn(process.execPath, [...nodeArguments, BIN, ...args], {
    env: { ...process.env, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const deadline = Date.now() + 60_000;
  while (!(await ready(output))) {
    if (child.exitCode !== null)
      throw new Error(`${what} exited early (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${what} did not start:\n${output}`);
    }
    await new Promise((wait) => setTimeout(wait, 50));
  }
  return { child, output: () => output, exited };
}

export async function startServerProcess(
  environment: Record<string, string>,
  args: string[] = ['serve'],
  nodeArguments: string[] = [],
): Promise<ServerProcess> {
  const port = environment['PORT'] ?? String(await freePort());
  const healthy = async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
    } catch {
      return false; // not listening yet
    }
  };
  const started = await startProcess(
    'server',
    args,
    { HOST: '127.0.0.1', PORT: port, CONCIERGE_LOG_LEVEL: 'warn', ...environment },
    nodeArguments,
    healthy,
  );
  return { baseURL: `http://127.0.0.1:${port}/v1`, ...started };
}

/** Runs `concierge worker` as a child process; resolves once it has started claiming. */
export async function startWorkerProcess(
  environment: Record<string, string>,
  nodeArguments: string[] = [],
): Promise<ServerProcess> {
  const started = await startProcess(
    'worker',
    ['worker'],
    { CONCIERGE_LOG_LEVEL: 'info', ...environment },
    nodeArguments,
    async (output) => output.includes('Concierge worker'),
  );
  return { baseURL: '', ...started };
}
