/** Starts a server script in a child process and waits for it to print its base URL. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function startChildServer(
  script: string,
  environment: Record<string, string> = {},
): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    // BENCH_NODE_OPTIONS adds flags to the servers under test (e.g. --cpu-prof to profile them).
    const extra = (process.env['BENCH_NODE_OPTIONS'] ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...extra, '--import', 'tsx', script], {
      env: { ...process.env, ...environment },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /LISTENING (\S+)/.exec(output);
      if (match) {
        child.stdout!.off('data', onData);
        resolve({
          url: match[1]!,
          process: child,
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${script} exited with ${code} before listening:\n${output}`)),
    );
  });
}
