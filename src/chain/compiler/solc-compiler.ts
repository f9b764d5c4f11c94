/**
 * The compiler adapter: solc-js in one long-lived worker thread, started on the first compile, so the
 * event loop never blocks on a compilation and the wasm warm-up is paid once per process. The worker
 * is unreferenced while idle, so it never keeps the process alive on its own.
 */
import { Worker } from 'node:worker_threads';
import {
  SolidityCompilationError,
  type CompilationResult,
  type SolidityCompiler,
} from '../solidity-compiler.ts';
import type { CompileRequest, CompileResponse } from './compiler-messages.ts';
import { parseStandardJsonOutput, standardJsonInput } from './standard-json.ts';

export interface SolcCompilerOptions {
  /** A compilation that takes longer stops the worker and fails; the next compile starts a fresh one. */
  timeoutMilliseconds?: number;
}

interface Pending {
  resolve(response: CompileResponse): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export function createSolcCompiler({
  timeoutMilliseconds = 120_000,
}: SolcCompilerOptions = {}): SolidityCompiler {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  function settle(id: number): Pending | undefined {
    const entry = pending.get(id);
    if (!entry) return undefined;
    pending.delete(id);
    clearTimeout(entry.timer);
    if (pending.size === 0) worker?.unref();
    return entry;
  }

  function failAll(error: Error): void {
    for (const id of pending.keys()) settle(id)?.reject(error);
  }

  function running(): Worker {
    if (worker) return worker;
    const started = new Worker(new URL('./solc-worker-entry.mjs', import.meta.url));
    started.on('message', (response: CompileResponse) => settle(response.id)?.resolve(response));
    started.on('error', (error) =>
      failAll(new Error(`The Solidity compiler worker failed: ${error.message}`, { cause: error })),
    );
    started.on('exit', (code) => {
      if (worker === started) worker = undefined;
      failAll(new Error(`The Solidity compiler worker stopped (exit code ${code}).`));
    });
    worker = started;
    return started;
  }

  function send(input: string): Promise<CompileResponse> {
    const target = running();
    const id = nextId++;
    return new Promise<CompileResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        settle(id)?.reject(
          new Error(
            `Solidity compilation took longer than ${timeoutMilliseconds} ms and was stopped.`,
          ),
        );
        void target.terminate();
      }, timeoutMilliseconds);
      pending.set(id, { resolve, reject, timer });
      target.ref();
      // oxlint-disable-next-line unicorn/require-post-message-target-origin -- a worker thread, not a browser window
      target.postMessage({ id, input } satisfies CompileRequest);
    });
  }

  return {
    async compile(sources): Promise<CompilationResult> {
      const response = await send(standardJsonInput(sources));
      if ('failure' in response) throw new Error(`solc failed: ${response.failure}`);
      const { errors, result } = parseStandardJsonOutput(response.output);
      if (errors.length > 0) throw new SolidityCompilationError(errors);
      return { compilerVersion: response.compilerVersion, ...result };
    },
    async close() {
      const stopping = worker;
      worker = undefined;
      if (stopping) await stopping.terminate();
    },
  };
}
