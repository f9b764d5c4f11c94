/**
 * What `concierge serve` loads before it answers: the compiled tree without a TypeScript loader, and
 * none of the heavy parts that only some requests need (the dev chain's EDR, solc and its worker, the
 * demo merchant, Pyodide, the document parsers, node-llama-cpp, the o200k token encoding). They load
 * on first use, so start-up stays fast and idle memory small. Nor does it load the SDKs that only some
 * requests use: viem and the x402 SDK (the chain, the demo market and the built-in agents load with
 * their first call), the MCP and A2A SDKs, the AI SDK's providers (the default upstream uses the lean
 * adapter), the PostgreSQL driver on SQLite, the AWS SDK with blobs on disk, the local embedder's
 * TensorFlow. With tracing off (no `OTEL_*` exporter) the OpenTelemetry SDK is not loaded at all.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';

const TRACE_PRELOAD = resolve(import.meta.dirname, '../helpers/module-trace.mjs');

describe('server start-up', () => {
  let server: ServerProcess;
  let directory: string;
  let loaded: string[];

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'concierge-start-up-'));
    const trace = join(directory, 'modules.txt');
    // A local GGUF model is configured: node-llama-cpp still waits for the first run on it.
    const configFile = join(directory, 'concierge.config.json');
    const gguf = { small: join(directory, 'small.gguf') };
    writeFileSync(
      configFile,
      JSON.stringify({ providers: { local: { type: 'llama-cpp', gguf } } }),
    );
    server = await startServerProcess(
      {
        CONCIERGE_CONFIG: configFile,
        CONCIERGE_DATABASE_URL: `sqlite:${join(directory, 'start-up.db')}`,
        CONCIERGE_DATA_DIR: directory,
        MODULE_TRACE_FILE: trace,
        // Set for the child alone: tracing stays off whatever the test runner's environment says.
        OTEL_SDK_DISABLED: '',
        OTEL_TRACES_EXPORTER: '',
        OTEL_EXPORTER_OTLP_ENDPOINT: '',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
      },
      ['serve'],
      ['--import', TRACE_PRELOAD],
    );
    // The server answered /health: everything start-up loads is in the trace by now.
    loaded = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  });
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(directory, { recursive: true, force: true });
  });

  const modules = () => loaded.filter((line) => line.startsWith('module '));

  it('runs the compiled JavaScript, with no TypeScript loader', () => {
    expect(modules().some((line) => line.endsWith('/dist/cli.js'))).toBe(true);
    expect(modules().some((line) => line.includes('/node_modules/fastify/'))).toBe(true);
    expect(modules().filter((line) => /\/node_modules\/tsx\/|\.ts$/.test(line))).toEqual([]);
  });

  it('loads neither EDR, solc nor node-llama-cpp, and starts no worker thread', () => {
    const heavy = modules().filter((line) =>
      /\/node_modules\/(@nomicfoundation\/edr|solc|pyodide|unpdf|mammoth|node-llama-cpp)\/|\/demo-merchant\.js$|\/edr-provider\.js$/.test(
        line,
      ),
    );
    expect(heavy).toEqual([]);
    expect(loaded.filter((line) => line.startsWith('worker '))).toEqual([]);
  });

  it('loads no OpenTelemetry SDK with tracing off, only its no-op API', () => {
    expect(modules().some((line) => line.includes('/node_modules/@opentelemetry/api/'))).toBe(true);
    const sdk = modules().filter((line) =>
      /\/node_modules\/@opentelemetry\/(?!api\/)|\/tracing-sdk\.js$/.test(line),
    );
    expect(sdk).toEqual([]);
  });

  it('loads no chain code, no protocol SDK, no provider SDK and no driver of another database', () => {
    const packages = modules().filter((line) =>
      /\/node_modules\/(viem|ox|abitype|@x402\/[^/]+|@scure\/[^/]+|@noble\/[^/]+|@modelcontextprotocol\/sdk|@a2a-js\/sdk|@ai-sdk\/[^/]+|ai|jose|zod-to-json-schema|pg|@aws-sdk\/[^/]+|@tensorflow\/[^/]+|@energetic-ai\/[^/]+)\//.test(
        line,
      ),
    );
    expect(packages).toEqual([]);
    // Our own modules over them: the chain adapters, the built-ins, the SDK-backed protocol parts.
    const ours = modules().filter((line) =>
      /\/dist\/(chain\/(viem-chain\/viem-chain|dev-chain\/dev-chain|rpc-chain\/rpc-chain|contracts\/demo-market)|service-agents\/builtin\/[^/]+\/[^/]+-(agent|setup)|service-agents\/a2a\/a2a-client|api\/a2a\/assistant-task-handler|tools\/mcp\/mcp-connector|models\/ai-sdk\/providers|storage\/postgres\/[^/]+)\.js$/.test(
        line,
      ),
    );
    expect(ours).toEqual([]);
  });

  it('loads no token encoding: o200k (about 66 MiB) loads with the first run or count', () => {
    expect(modules().filter((line) => /\/node_modules\/gpt-tokenizer\//.test(line))).toEqual([]);
  });
});
