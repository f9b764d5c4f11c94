/**
 * code_interpreter in a container (a response's run names one in `options.container_id`): the
 * session is the container's, its files are in /mnt/data, the files the code writes become the
 * container's (`source: assistant`), and an expired container runs nothing. A real sandbox,
 * real SQLite store, real blobs on disk.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { makeDataDir, removeDataDir, tryBwrapSandbox } from '../../../test/helpers/sandbox.ts';
import { createLocalDiskBlobStore } from '../../blobs/local-disk/local-disk-blob-store.ts';
import { nowSeconds } from '../../domain/clock.ts';
import type { Container } from '../../domain/container.ts';
import { newId } from '../../domain/ids.ts';
import type { Run, RunOptions } from '../../domain/run.ts';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.ts';
import type { Store } from '../../storage/store.ts';
import type { ToolContext } from '../tool.ts';
import { createCodeInterpreterTool } from './code-interpreter-tool.ts';
import type { Sandbox } from './sandbox.ts';
import { createPyodideSandbox } from './pyodide/pyodide-sandbox.ts';
import { CodeSessionManager } from './session-manager.ts';

const PROJECT = 'proj_default';

function context(containerId: string): ToolContext {
  const options: RunOptions = {
    additional_instructions: null,
    reasoning_effort: null,
    include: [],
    tool_resources: null,
    container_id: containerId,
  };
  return {
    projectId: PROJECT,
    run: { id: newId('run'), thread_id: newId('thread') } as Run,
    options,
    toolResources: {},
    signal: new AbortController().signal,
    emitDelta: () => {},
    sourceOffset: 0,
  };
}

// bwrap where the host has it, else Pyodide: the code here needs only the standard library.
describe('code_interpreter in a container', () => {
  let dataDir: string;
  let sandbox: Sandbox;
  let manager: CodeSessionManager;
  let store: Store;
  const blobs = () => createLocalDiskBlobStore(dataDir);

  beforeAll(async () => {
    dataDir = await makeDataDir();
    sandbox =
      (await tryBwrapSandbox(dataDir)) ??
      (await createPyodideSandbox({ sessionsDirectory: join(dataDir, 'sandboxes') }));
    manager = new CodeSessionManager({ sandbox, idleSeconds: 600, maxSessions: 4 });
    store = createSqliteStore(':memory:');
    await store.migrate();
  });
  afterAll(async () => {
    await manager.close();
    await sandbox.close();
    await store.close();
    await removeDataDir(dataDir);
  });

  async function container(minutes = 20): Promise<Container> {
    const now = nowSeconds();
    const made: Container = {
      id: newId('container'),
      object: 'container',
      name: 'test',
      created_at: now,
      status: 'running',
      last_active_at: now,
      expires_after: { anchor: 'last_active_at', minutes },
      memory_limit: '1g',
      network_policy: { type: 'disabled' },
    };
    await store.containers.insert(PROJECT, made);
    return made;
  }

  it("runs in the container's session with its files, and keeps what the code writes", async () => {
    const box = await container();
    const input = newId('containerFile');
    await blobs().put(input, Readable.from([Buffer.from('3,4\n')]));
    await store.containerFiles.put(PROJECT, {
      id: input,
      object: 'container.file',
      container_id: box.id,
      created_at: nowSeconds(),
      bytes: 4,
      path: '/mnt/data/numbers.csv',
      source: 'user',
    });
    const tool = createCodeInterpreterTool({
      store,
      blobs: blobs(),
      sessions: async () => ({ manager, standardLibraryOnly: false }),
    });
    const listed = await tool.modelTools({ type: 'code_interpreter' }, context(box.id));
    expect(listed[0]!.description).toContain('/mnt/data/numbers.csv');

    const code =
      "a, b = open('/mnt/data/numbers.csv').read().strip().split(',')\n" +
      'total = int(a) + int(b)\n' +
      "open('/mnt/data/sum.txt', 'w').write(str(total))\nprint(total)";
    const first = await tool.execute('call_1', 'code_interpreter', JSON.stringify({ code }), {
      ...context(box.id),
    });
    expect(first).toMatchObject({ kind: 'completed', output: expect.stringContaining('7') });

    const files = await store.containerFiles.listAll(PROJECT, box.id);
    const written = files.find((file) => file.path === '/mnt/data/sum.txt');
    expect(written).toMatchObject({ source: 'assistant', bytes: 1 });
    const stream = await blobs().get(written!.id);
    const chunks: Buffer[] = [];
    for await (const chunk of stream!) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('7');

    // Another run (another thread) naming the same container shares its session's variables.
    const second = await tool.execute(
      'call_2',
      'code_interpreter',
      JSON.stringify({ code: 'print(total * 2)' }),
      context(box.id),
    );
    expect(second).toMatchObject({ output: expect.stringContaining('14') });
  });

  it('runs nothing in an expired container', async () => {
    // Its last use was two minutes ago, and it expires after one idle minute.
    const box = await container(1);
    const stale = { ...box, id: newId('container'), last_active_at: nowSeconds() - 120 };
    await store.containers.insert(PROJECT, stale);
    const tool = createCodeInterpreterTool({
      store,
      blobs: blobs(),
      sessions: async () => ({ manager, standardLibraryOnly: false }),
    });
    const result = await tool.execute(
      'call_3',
      'code_interpreter',
      JSON.stringify({ code: "open('/mnt/data/x', 'w').write('x')" }),
      context(stale.id),
    );
    expect(result).toMatchObject({ output: expect.stringContaining('has expired') });
    expect(await store.containerFiles.listAll(PROJECT, stale.id)).toEqual([]);
  });
});
