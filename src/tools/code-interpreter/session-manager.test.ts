import { mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bwrapAvailable,
  makeDataDir,
  removeDataDir,
  tryBwrapSandbox,
} from '../../../test/helpers/sandbox.ts';
import type { Sandbox } from './sandbox.ts';
import { CodeSessionManager, SandboxCapacityError } from './session-manager.ts';

const CELL = { timeoutMs: 20_000 };

describe.runIf(bwrapAvailable)('code session manager (bwrap backend)', () => {
  let dataDir: string;
  let sandbox: Sandbox;
  let clock = 1_000_000;
  const managers: CodeSessionManager[] = [];

  function createManager(
    overrides: { idleSeconds?: number; maxSessions?: number } = {},
  ): CodeSessionManager {
    const manager = new CodeSessionManager({
      sandbox,
      idleSeconds: 60,
      maxSessions: 4,
      now: () => clock,
      sweepIntervalMs: 0,
      ...overrides,
    });
    managers.push(manager);
    return manager;
  }

  beforeAll(async () => {
    dataDir = await makeDataDir();
    sandbox = (await tryBwrapSandbox(dataDir))!;
  });

  afterEach(async () => {
    await Promise.all(managers.splice(0).map((manager) => manager.close()));
  });

  afterAll(async () => {
    await sandbox.close();
    await removeDataDir(dataDir);
  });

  it('gives one session per key, with state kept between acquisitions', async () => {
    const manager = createManager();
    const first = await manager.acquire('thread_one', 'project_a');
    expect(first.reset).toBe(false);
    await first.session.runCell('value = 7', CELL);
    const again = await manager.acquire('thread_one', 'project_a');
    expect(again.reset).toBe(false);
    expect((await again.session.runCell('value', CELL)).logs).toBe('7\n');
    const concurrent = await Promise.all([
      manager.acquire('thread_two', 'project_a'),
      manager.acquire('thread_two', 'project_a'),
    ]);
    expect(concurrent[0].session.directory).toBe(concurrent[1].session.directory);
    expect(manager.size).toBe(2);
  });

  it('closes an idle session, deletes its files, and reports the reset on the next acquire', async () => {
    const manager = createManager({ idleSeconds: 60 });
    const { session } = await manager.acquire('thread_idle', 'project_a');
    await session.runCell('value = 1\nopen("/mnt/data/notes.txt", "w").write("x")', CELL);
    clock += 30_000;
    expect(await manager.sweep()).toBe(0);
    clock += 31_000;
    expect(await manager.sweep()).toBe(1);
    await expect(stat(session.directory)).rejects.toMatchObject({ code: 'ENOENT' });
    const next = await manager.acquire('thread_idle', 'project_a');
    expect(next.reset).toBe(true);
    expect(next.resetReason).toContain('idle for more than 1 minute');
    const state = await next.session.runCell(
      'import os\nprint(os.listdir("/mnt/data"))\nvalue',
      CELL,
    );
    expect(state.logs).toBe('[]\n');
    expect(state.error?.name).toBe('NameError');
    expect((await manager.acquire('thread_idle', 'project_a')).reset).toBe(false);
  });

  it('never sweeps a session while its cell runs', async () => {
    const manager = createManager({ idleSeconds: 1 });
    const { session } = await manager.acquire('thread_busy', 'project_a');
    const running = session.runCell('import time\ntime.sleep(1)\n"done"', CELL);
    clock += 10_000;
    expect(await manager.sweep()).toBe(0);
    expect((await running).logs).toBe("'done'\n");
  });

  it('makes room by closing the least recently used idle session', async () => {
    const manager = createManager({ maxSessions: 2 });
    await (await manager.acquire('thread_a', 'project_a')).session.runCell('a = 1', CELL);
    clock += 1000;
    await (await manager.acquire('thread_b', 'project_a')).session.runCell('b = 1', CELL);
    clock += 1000;
    await manager.acquire('thread_c', 'project_a');
    expect(manager.size).toBe(2);
    const back = await manager.acquire('thread_a', 'project_a');
    expect(back.reset).toBe(true);
    expect(back.resetReason).toContain('make room');
  });

  it('refuses a new session when every session is running a cell', async () => {
    const manager = createManager({ maxSessions: 1 });
    const { session } = await manager.acquire('thread_only', 'project_a');
    const running = session.runCell('import time\ntime.sleep(1)', CELL);
    await expect(manager.acquire('thread_waiting', 'project_a')).rejects.toBeInstanceOf(
      SandboxCapacityError,
    );
    expect((await running).error).toBeNull();
    expect((await manager.acquire('thread_waiting', 'project_a')).reset).toBe(false);
  });

  it('reports a reset after the kernel was killed, and the session works again', async () => {
    const manager = createManager();
    const { session } = await manager.acquire('thread_killed', 'project_a');
    await session.runCell('value = 3', CELL);
    const killed = await session.runCell('import os\nos._exit(3)', CELL);
    expect(killed.killedReason).toBe('exited');
    const next = await manager.acquire('thread_killed', 'project_a');
    expect(next.reset).toBe(true);
    expect(next.resetReason).toContain('files in /mnt/data are kept');
    expect((await next.session.runCell('value', CELL)).error?.name).toBe('NameError');
    expect((await manager.acquire('thread_killed', 'project_a')).reset).toBe(false);
  });

  it('reports a reset for a directory left by an earlier server, keeps its files, and sweeps stale ones', async () => {
    const recent = join(sandbox.sessionsDirectory, 'thread_recent');
    const stale = join(sandbox.sessionsDirectory, 'thread_stale');
    await mkdir(recent, { recursive: true });
    await writeFile(join(recent, 'kept.csv'), 'a,b\n');
    await mkdir(stale, { recursive: true });
    const old = new Date(clock - 3600_000);
    await utimes(stale, old, old);
    const manager = createManager({ idleSeconds: 60 });
    await utimes(recent, new Date(clock), new Date(clock));
    await manager.sweep();
    await expect(stat(stale)).rejects.toMatchObject({ code: 'ENOENT' });
    const back = await manager.acquire('thread_recent', 'project_a');
    expect(back.reset).toBe(true);
    expect(back.resetReason).toContain('server restarted');
    expect((await back.session.runCell('open("/mnt/data/kept.csv").read()', CELL)).logs).toBe(
      "'a,b\\n'\n",
    );
  });

  it('ends a session on request and forgets it', async () => {
    const manager = createManager();
    const { session } = await manager.acquire('thread_deleted', 'project_a');
    await session.close();
    await expect(stat(session.directory)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(manager.size).toBe(0);
    expect((await manager.acquire('thread_deleted', 'project_a')).reset).toBe(false);
  });
});
