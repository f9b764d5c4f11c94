// Preloaded with `--import` into a server process by the tests that check what start-up loads. It
// appends one line per module the main thread loads through the ESM loader (`module <url>`), per
// CommonJS file it compiles (`commonjs <path>`: `require` calls, which the loader hooks do not see)
// and per worker thread started (`worker <script>`) to the file named by MODULE_TRACE_FILE. Plain JavaScript: the process under test
// runs the compiled tree, without a TypeScript loader.
import { appendFileSync } from 'node:fs';
import { createRequire, register, syncBuiltinESMExports } from 'node:module';

const file = process.env['MODULE_TRACE_FILE'];
if (!file) throw new Error('module-trace.mjs needs MODULE_TRACE_FILE');

register(new URL('./module-trace-hooks.mjs', import.meta.url), { data: { file } });

const require = createRequire(import.meta.url);
const Module = require('node:module');
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename, ...rest) {
  appendFileSync(file, `commonjs ${filename}\n`);
  return compile.call(this, content, filename, ...rest);
};

const threads = require('node:worker_threads');
const { Worker } = threads;
threads.Worker = class TracedWorker extends Worker {
  constructor(script, options) {
    appendFileSync(file, `worker ${script}\n`);
    super(script, options);
  }
};
syncBuiltinESMExports();
