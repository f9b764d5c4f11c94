/**
 * The worker thread that owns solc-js. Loading the 9 MB wasm and its first compile cost about a
 * second, so one long-lived instance serves every compilation of the process, one at a time.
 * Only the bundled compiler is used; `loadRemoteVersion` is never called, so nothing is downloaded.
 */
import { parentPort } from 'node:worker_threads';
import solc from 'solc';
import type { CompileRequest, CompileResponse } from './compiler-messages.ts';
import { createOpenZeppelinImports } from './openzeppelin-imports.ts';

const port = parentPort;
if (!port) throw new Error('solc-worker.ts must run in a worker thread.');

const resolveImport = createOpenZeppelinImports();
const compilerVersion = String(solc.version());

port.on('message', (request: CompileRequest) => {
  let response: CompileResponse;
  try {
    const output = String(solc.compile(request.input, { import: resolveImport }));
    response = { id: request.id, output, compilerVersion };
  } catch (error) {
    response = { id: request.id, failure: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(response);
});
