// The Pyodide kernel: one child process per session, started by pyodide-sandbox.ts under Node's
// permission model (file reads limited to Pyodide and the session directory, writes to the session
// directory; no child processes, workers or addons). Same protocol as the bwrap kernel: JSON lines
// in on stdin, one JSON answer per line on fd 3, `{"type":"ready"}` first.
//
// This is NOT a security boundary: Python reaches JavaScript through Pyodide's FFI, Node's
// permission model does not cover the network, and Node documents it as a seat belt only.
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';
import { pathToFileURL } from 'node:url';

const [pyodideDirectory, sessionDirectory, logBytesText, recycleBytesText] = process.argv.slice(2);
const logBytes = Number(logBytesText);
const recycleBytes = Number(recycleBytesText);

// Emscripten's NODEFS asks for process.binding('constants'), which the permission model forbids.
process.binding = (name) => {
  if (name === 'constants') return { fs: fs.constants, os: os.constants };
  throw new Error('process.binding is not available in the code sandbox');
};
// Nothing may download at run time (and pyfetch would reach the network).
globalThis.fetch = async () => {
  throw new Error('network access is disabled in the code sandbox');
};

/** Keeps the head and the tail of the program output, like the bwrap kernel. */
class Capture {
  constructor(limit) {
    this.headLimit = Math.floor((limit * 3) / 4);
    this.tailLimit = limit - this.headLimit;
    this.reset();
  }
  reset() {
    this.head = [];
    this.headLength = 0;
    this.tail = Buffer.alloc(0);
    this.total = 0;
  }
  add(bytes) {
    let chunk = Buffer.from(bytes);
    this.total += chunk.length;
    const room = this.headLimit - this.headLength;
    if (room > 0) {
      this.head.push(chunk.subarray(0, room));
      this.headLength += Math.min(room, chunk.length);
      chunk = chunk.subarray(room);
    }
    if (chunk.length > 0) this.tail = Buffer.concat([this.tail, chunk]).subarray(-this.tailLimit);
    return bytes.length;
  }
  text() {
    const head = Buffer.concat(this.head).toString('utf8');
    const omitted = this.total - this.headLength - this.tail.length;
    if (omitted <= 0) return head + this.tail.toString('utf8');
    return `${head}\n[output truncated: ${omitted} bytes omitted of ${this.total}]\n${this.tail.toString('utf8')}`;
  }
}

const RUNNER = `
import ast, builtins, json, linecache, os, sys, traceback, types
os.chdir("/mnt/data")
_main = types.ModuleType("__main__")
_main.__dict__["__builtins__"] = builtins
sys.modules["__main__"] = _main

def _run_cell(code, number):
    filename = f"<cell-{number}>"
    try:
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        tree = ast.parse(code, filename=filename, mode="exec")
        last = ast.Expression(tree.body.pop().value) if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, filename, "exec"), _main.__dict__)
        if last is not None:
            value = eval(compile(last, filename, "eval"), _main.__dict__)
            if value is not None:
                print(repr(value))
        return None
    except BaseException as error:
        tb = None if isinstance(error, SyntaxError) else error.__traceback__.tb_next
        return json.dumps({"name": type(error).__name__, "message": str(error),
                           "traceback": "".join(traceback.format_exception(type(error), error, tb))})
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
_run_cell
`;

const answer = (message) => fs.writeSync(3, `${JSON.stringify(message)}\n`);
const capture = new Capture(logBytes);
const { loadPyodide } = await import(pathToFileURL(join(pyodideDirectory, 'pyodide.mjs')).href);
const pyodide = await loadPyodide({
  indexURL: `${pyodideDirectory}/`,
  stdout: () => {},
  stderr: () => {},
});
pyodide.setStdout({ write: (bytes) => capture.add(bytes) });
pyodide.setStderr({ write: (bytes) => capture.add(bytes) });
pyodide.FS.mkdirTree('/mnt/data');
pyodide.mountNodeFS('/mnt/data', sessionDirectory);
const runCell = pyodide.runPython(RUNNER);
answer({ type: 'ready', python: pyodide.runPython('import sys; sys.version.split()[0]') });

for await (const line of readline.createInterface({ input: process.stdin })) {
  const request = JSON.parse(line);
  capture.reset();
  const error = runCell(request.code, request.id);
  let logs = capture.text();
  const residentBytes = process.memoryUsage.rss();
  const recycle = residentBytes > recycleBytes;
  if (recycle) {
    logs += `[concierge] The Python session grew to ${Math.round(residentBytes / 2 ** 20)} MB and will restart before the next cell: variables will be gone, files in /mnt/data are kept.\n`;
  }
  answer({
    id: request.id,
    logs,
    error: error === undefined ? null : JSON.parse(error),
    timedOut: false,
  });
  // The WebAssembly heap never shrinks; a fresh process is the only way to give the memory back.
  if (recycle) process.exit(0);
}
