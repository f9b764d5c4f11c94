/**
 * The files of a code session are copied in once per session: a later call of the same session finds
 * what the code left there (a file it changed stays changed), and a new session gets them again. A
 * stand-in sandbox (sessions are directories, the test plays the code's writes), a real SQLite store
 * and blobs on disk.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useStandInManagers } from '../../../test/helpers/stand-in-sandbox.ts';
import { makeDataDir, removeDataDir } from '../../../test/helpers/sandbox.ts';
import { createLocalDiskBlobStore } from '../../blobs/local-disk/local-disk-blob-store.ts';
import { nowSeconds } from '../../domain/clock.ts';
import { newId } from '../../domain/ids.ts';
import type { Run } from '../../domain/run.ts';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.ts';
import type { Store } from '../../storage/store.ts';
import type { ToolContext } from '../tool.ts';
import { createCodeInterpreterTool } from './code-interpreter-tool.ts';

const PROJECT = 'proj_default';

describe('code_interpreter: a session’s files', () => {
  const managers = useStandInManagers();
  let blobsDir: string;
  let store: Store;

  beforeAll(async () => {
    blobsDir = await makeDataDir();
    store = createSqliteStore(':memory:');
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    await removeDataDir(blobsDir);
  });

  /** A running container of the test project, with a file of each `path` (its bytes the path). */
  async function container(paths: string[]) {
    const blobs = createLocalDiskBlobStore(blobsDir);
    const now = nowSeconds();
    const containerId = newId('container');
    await store.containers.insert(PROJECT, {
      id: containerId,
      object: 'container',
      name: 'files',
      created_at: now,
      status: 'running',
      last_active_at: now,
      expires_after: { anchor: 'last_active_at', minutes: 20 },
      memory_limit: '1g',
      network_policy: { type: 'disabled' },
    });
    for (const path of paths) {
      const fileId = newId('containerFile');
      await blobs.put(fileId, Readable.from([Buffer.from(path)]));
      await store.containerFiles.put(PROJECT, {
        id: fileId,
        object: 'container.file',
        container_id: containerId,
        created_at: now,
        bytes: Buffer.byteLength(path),
        path,
        source: 'user',
      });
    }
    const context: ToolContext = {
      projectId: PROJECT,
      run: { id: newId('run'), thread_id: newId('thread') } as Run,
      options: {
        additional_instructions: null,
        reasoning_effort: null,
        include: [],
        tool_resources: null,
        container_id: containerId,
      },
      toolResources: {},
      signal: new AbortController().signal,
      emitDelta: () => {},
      sourceOffset: 0,
    };
    return { blobs, containerId, context };
  }

  it('are copied in once: what the code changed in one call is there in the next', async () => {
    const { blobs, containerId, context } = await container(['/mnt/data/notes.txt']);
    const manager = managers.create('copied', { idleSeconds: 600, maxSessions: 4 });
    const tool = createCodeInterpreterTool({
      store,
      blobs,
      sessions: async () => ({ manager, standardLibraryOnly: false }),
    });
    const call = (id: string) =>
      tool.execute(id, 'code_interpreter', JSON.stringify({ code: 'pass' }), context);
    const file = join(managers.directory('copied'), containerId, 'notes.txt');

    await call('call_1');
    expect(await readFile(file, 'utf8')).toBe('/mnt/data/notes.txt');
    // The first call's code rewrote the file.
    await writeFile(file, 'changed by the code');
    await call('call_2');
    expect(await readFile(file, 'utf8')).toBe('changed by the code');

    // A new session (the old one ended) has the container's files again.
    await manager.end(containerId);
    await call('call_3');
    expect(await readFile(file, 'utf8')).toBe('/mnt/data/notes.txt');
  });

  it('get names a session takes, distinct, whatever their paths in the container', async () => {
    const long = `/mnt/data/${'€'.repeat(100)}.csv`;
    const { blobs, containerId, context } = await container([
      long,
      '/mnt/data/report.csv',
      '/mnt/data/out/report.csv',
    ]);
    const manager = managers.create('names', { idleSeconds: 600, maxSessions: 4 });
    const tool = createCodeInterpreterTool({
      store,
      blobs,
      sessions: async () => ({ manager, standardLibraryOnly: false }),
    });
    const listed = await tool.modelTools({ type: 'code_interpreter' }, context);
    const executed = await tool.execute('call_1', 'code_interpreter', '{"code":"pass"}', context);
    expect(executed.kind).toBe('completed');

    const directory = join(managers.directory('names'), containerId);
    const names = (await readdir(directory)).filter((name) => name !== 'opened.txt').sort();
    expect(names).toHaveLength(3);
    for (const name of names) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    const contents = await Promise.all(
      names.map((name) => readFile(join(directory, name), 'utf8')),
    );
    expect(contents.sort()).toEqual(
      [long, '/mnt/data/out/report.csv', '/mnt/data/report.csv'].sort(),
    );
    // The model is told the names the code finds.
    for (const name of names) expect(listed[0]!.description).toContain(`/mnt/data/${name}`);
  });
});
