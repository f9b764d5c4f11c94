/**
 * What `concierge serve` loads before it answers: the compiled tree without a TypeScript loader, and
 * none of the heavy parts that only some requests need (the dev chain's EDR, solc and its worker, the
 * demo merchant, Pyodide, the document parsers, node-llama-cpp, the o200k token encoding). They load
 * on first use, so start-up stays fast and idle memory small. Nor does it load the SDKs that only some
 * requests use: viem and the x402 SDK (the chain, the demo market and the built-in agents load with
 * their first call), the MCP and A2A SDKs, the AI SDK's providers (the default upstream uses the lean
 * adapter), the PostgreSQL driver on SQLite, the AWS SDK with blobs on disk, the local embedder's
 * TensorFlow. With tracing off (no `OTEL_*` exporter) the OpenTelemetry SDK is not loaded at all.
 * And it loads the bundle (dist/bundle/), not the per-module tree: Node 20's ESM loader costs each
 * module file a resolution, a read and a compilation, and start-up loaded about 730 of them. Our
 * modules are found in the bundle's files through `dist/bundle/modules.json`.
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
        CONCIERGE_METRICS: 'off',
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
  /** The source modules (`src/….ts`) inside the bundle files that start-up loaded. */
  const sourceModules = () => {
    const contents = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../../dist/bundle/modules.json'), 'utf8'),
    ) as Record<string, string[]>;
    return modules().flatMap((line) => {
      const file = /\/dist\/bundle\/([^/]+\.js)$/.exec(line)?.[1];
      return file ? (contents[file] ?? []) : [];
    });
  };

  it('runs the compiled JavaScript, with no TypeScript loader', () => {
    expect(modules().some((line) => line.endsWith('/dist/bundle/cli.js'))).toBe(true);
    expect(modules().filter((line) => /\/node_modules\/tsx\/|\.ts$/.test(line))).toEqual([]);
  });

  it('loads the bundle: a few files, none from the per-module tree, the packages it needs inside', () => {
    const files = modules().filter((line) => line.startsWith('module file:'));
    const ours = files.filter((line) => !line.includes('/node_modules/'));
    expect(ours.filter((line) => /\/dist\/(?!bundle\/)/.test(line))).toEqual([]);
    // The native addons stay in node_modules; the packages start-up loads are in the bundle.
    expect(files.filter((line) => /\/node_modules\//.test(line))).toEqual([
      expect.stringContaining('/node_modules/better-sqlite3/'),
      expect.stringContaining('/node_modules/sqlite-vec/'),
    ]);
    for (const name of ['fastify', 'kysely', 'zod', '@opentelemetry/api'])
      expect(sourceModules().some((path) => path.includes(`node_modules/${name}/`))).toBe(true);
    // 38 ES module files and 15 CommonJS ones (better-sqlite3's) today; 728 and 405 unbundled.
    expect(files.length).toBeLessThan(100);
    const commonJs = loaded.filter((line) => line.startsWith('commonjs '));
    expect(commonJs.length).toBeLessThan(50);
    expect(
      commonJs.filter(
        (line) => !/\/node_modules\/(better-sqlite3|bindings|file-uri-to-path)\//.test(line),
      ),
    ).toEqual([]);
    // The bundle's map is true: our start path (the server, the store, the routes) is in what loaded.
    expect(sourceModules()).toEqual(
      expect.arrayContaining([
        'src/cli.ts',
        'src/http/server.ts',
        'src/storage/sqlite/sqlite-store.ts',
      ]),
    );
  });

  it('loads neither EDR, solc nor node-llama-cpp, and starts no worker thread', () => {
    const heavy = modules().filter((line) =>
      /\/node_modules\/(@nomicfoundation\/edr|solc|pyodide|unpdf|mammoth|node-llama-cpp)\//.test(
        line,
      ),
    );
    expect(heavy).toEqual([]);
    const ours = sourceModules().filter((path) =>
      /\/demo-merchant\.ts$|\/edr-provider\.ts$/.test(path),
    );
    expect(ours).toEqual([]);
    expect(loaded.filter((line) => line.startsWith('worker '))).toEqual([]);
  });

  it('loads no OpenTelemetry SDK with tracing off, only its no-op API', () => {
    // The API is in the bundle; the SDK would load from node_modules.
    expect(
      sourceModules().some((path) => /(^|\/)node_modules\/@opentelemetry\/api\//.test(path)),
    ).toBe(true);
    const sdk = modules().filter((line) => /\/node_modules\/@opentelemetry\//.test(line));
    expect(sdk).toEqual([]);
    expect(sourceModules().filter((path) => path.endsWith('/tracing-sdk.ts'))).toEqual([]);
  });

  it('loads no chain code, no protocol SDK, no provider SDK and no driver of another database', () => {
    const packages = modules().filter((line) =>
      /\/node_modules\/(viem|ox|abitype|@x402\/[^/]+|@scure\/[^/]+|@noble\/[^/]+|@modelcontextprotocol\/sdk|@a2a-js\/sdk|@ai-sdk\/[^/]+|ai|jose|zod-to-json-schema|pg|@aws-sdk\/[^/]+|@tensorflow\/[^/]+|@energetic-ai\/[^/]+)\//.test(
        line,
      ),
    );
    expect(packages).toEqual([]);
    // Our own modules over them: the chain adapters, the built-ins, the SDK-backed protocol parts.
    const ours = sourceModules().filter((path) =>
      /^src\/(chain\/(viem-chain\/viem-chain|dev-chain\/dev-chain|rpc-chain\/rpc-chain|contracts\/demo-market)|service-agents\/builtin\/[^/]+\/[^/]+-(agent|setup)|service-agents\/a2a\/a2a-client|api\/a2a\/assistant-task-handler|tools\/mcp\/mcp-connector|models\/ai-sdk\/providers|storage\/postgres\/[^/]+)\.ts$/.test(
        path,
      ),
    );
    expect(ours).toEqual([]);
  });

  it('loads no Prometheus client with metrics off, and no WebSocket server before an upgrade', () => {
    expect(modules().filter((line) => /\/node_modules\/(prom-client|ws)\//.test(line))).toEqual([]);
    expect(sourceModules().filter((path) => path === 'src/composition/metrics.ts')).toEqual([]);
  });

  it('loads no token encoding: o200k (about 66 MiB) loads with the first run or count', () => {
    expect(modules().filter((line) => /\/node_modules\/gpt-tokenizer\//.test(line))).toEqual([]);
  });
});
