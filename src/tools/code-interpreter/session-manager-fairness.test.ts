/**
 * The session cap shared between projects. A stand-in sandbox (sessions are directories, cells are
 * not run) keeps this about the manager's bookkeeping, not about Python; session-manager.test.ts
 * covers the manager over real jails.
 */
import { describe, expect, it } from 'vitest';
import { useStandInManagers } from '../../../test/helpers/stand-in-sandbox.ts';
import { SandboxCapacityError } from './session-manager.ts';

describe('code session manager: the session cap is shared fairly between projects', () => {
  let clock = 1_000_000;
  const managers = useStandInManagers();

  function createManager(name: string, maxSessions: number, maxSessionsPerProject?: number) {
    return managers.create(name, {
      idleSeconds: 3600,
      maxSessions,
      maxSessionsPerProject,
      now: () => clock++,
    });
  }

  it('one project opening many sessions never evicts another project within its fair share', async () => {
    const manager = createManager('flood', 16);
    await manager.acquire('thread_b1', 'project_b');
    for (let index = 1; index <= 40; index++)
      await manager.acquire(`thread_a${index}`, 'project_a');
    expect(manager.size).toBe(16);
    expect(await manager.acquire('thread_b1', 'project_b')).toMatchObject({ reset: false });
    // Project a made room among its own sessions, oldest first.
    expect((await manager.acquire('thread_a40', 'project_a')).reset).toBe(false);
    expect((await manager.acquire('thread_a1', 'project_a')).resetReason).toContain('make room');
  });

  it('a project within its share takes room from a project above its share', async () => {
    const manager = createManager('share', 4);
    for (const key of ['thread_a1', 'thread_a2', 'thread_a3', 'thread_a4'])
      await manager.acquire(key, 'project_a');
    await manager.acquire('thread_b1', 'project_b');
    await manager.acquire('thread_b2', 'project_b');
    // Two projects: a fair share is 2 each, so b's sessions came out of a's four, oldest first.
    expect(manager.size).toBe(4);
    expect((await manager.acquire('thread_a3', 'project_a')).reset).toBe(false);
    expect((await manager.acquire('thread_b1', 'project_b')).reset).toBe(false);
    expect((await manager.acquire('thread_b2', 'project_b')).reset).toBe(false);
    // b is now at its share: a third b session must come out of b's own.
    await manager.acquire('thread_b3', 'project_b');
    expect((await manager.acquire('thread_a4', 'project_a')).reset).toBe(false);
    expect((await manager.acquire('thread_b1', 'project_b')).reset).toBe(true);
  });

  it('caps the sessions of one project even while the server has room', async () => {
    const manager = createManager('per-project', 16, 2);
    await manager.acquire('thread_a1', 'project_a');
    await manager.acquire('thread_a2', 'project_a');
    await manager.acquire('thread_a3', 'project_a');
    expect(manager.size).toBe(2);
    expect((await manager.acquire('thread_a1', 'project_a')).reset).toBe(true);
  });

  it('refuses, rather than evicting a neighbour, when all of a project’s own sessions are busy', async () => {
    const manager = createManager('busy', 2);
    const mine = await manager.acquire('thread_a1', 'project_a');
    await manager.acquire('thread_b1', 'project_b');
    const running = mine.session.runCell('busy', { timeoutMs: 1000 });
    await expect(manager.acquire('thread_a2', 'project_a')).rejects.toBeInstanceOf(
      SandboxCapacityError,
    );
    await running;
    expect((await manager.acquire('thread_b1', 'project_b')).reset).toBe(false);
  });

  it('does not evict a held session between its acquiring and its cell (its caller is reading files)', async () => {
    const manager = createManager('held', 16, 1);
    const first = await manager.acquire('thread_a1', 'project_a', { hold: true });
    // Another thread of the project wants a session while the first caller copies its files in.
    await expect(manager.acquire('thread_a2', 'project_a')).rejects.toBeInstanceOf(
      SandboxCapacityError,
    );
    expect(first.session.alive).toBe(true);
    await expect(first.session.runCell('print(1)', { timeoutMs: 1000 })).resolves.toMatchObject({
      error: null,
    });
    first.release();
    first.release(); // a second release changes nothing
    expect((await manager.acquire('thread_a2', 'project_a')).reset).toBe(false);
    expect((await manager.acquire('thread_a1', 'project_a')).resetReason).toContain('make room');
  });

  it('counts sessions being opened in parallel against the caps', async () => {
    const manager = createManager('parallel', 4);
    await manager.acquire('thread_b1', 'project_b');
    await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        manager.acquire(`thread_a${index}`, 'project_a').catch((error: unknown) => {
          if (!(error instanceof SandboxCapacityError)) throw error;
        }),
      ),
    );
    expect(manager.size).toBeLessThanOrEqual(4);
    expect((await manager.acquire('thread_b1', 'project_b')).reset).toBe(false);
  });
});
