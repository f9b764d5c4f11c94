/**
 * A session directory is deleted only when no session of its key uses it: a session opened for a key
 * while the sweep deletes the key's stale directory, or while the key's last session closes, keeps
 * the directory it opened. The sweep's `stat` and a session's close are held by the test at the
 * point a race would strike, and let go once the new session has opened (or, when the manager
 * makes it wait, after a while): with the race, the new session's directory would be gone.
 */
import { access, mkdir, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { useStandInManagers } from '../../../test/helpers/stand-in-sandbox.ts';

/** A hold on the next `stat` of a path: the stat is made, and its answer held until let go. */
const statHold = vi.hoisted(() => ({
  path: undefined as string | undefined,
  reached: undefined as (() => void) | undefined,
  released: Promise.resolve(),
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const stat = async (...args: Parameters<typeof actual.stat>) => {
    const stats = await actual.stat(...args);
    if (String(args[0]) === statHold.path) {
      statHold.path = undefined;
      statHold.reached?.();
      await statHold.released;
    }
    return stats;
  };
  return { ...actual, stat, default: { ...actual, stat } };
});

/** Resolves with a function that lets the held work go; `letGo` also lets it go after a while. */
function gate() {
  let letGo!: () => void;
  const released = new Promise<void>((resolve) => (letGo = resolve));
  // With the manager waiting for the held work, nothing else lets it go.
  const fallback = setTimeout(letGo, 1000);
  return {
    released,
    letGo: () => {
      clearTimeout(fallback);
      letGo();
    },
  };
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('code session manager: session directories', () => {
  const managers = useStandInManagers();
  const options = { idleSeconds: 60, maxSessions: 4 };

  it('a session opened while the sweep looks at its stale directory keeps its directory', async () => {
    const held = gate();
    const manager = managers.create('sweep', options, { opened: held.letGo });
    const stale = join(managers.directory('sweep'), 'thread_stale');
    await mkdir(stale, { recursive: true });
    const old = new Date(Date.now() - 3600_000);
    await utimes(stale, old, old);

    const reached = new Promise<void>((resolve) => (statHold.reached = resolve));
    statHold.path = stale;
    statHold.released = held.released;
    const sweeping = manager.sweep();
    await reached;
    // The sweep found the directory unused and stale; the key comes back before it deletes it.
    const acquired = await Promise.all([manager.acquire('thread_stale', 'project_a'), sweeping]);

    expect(acquired[0].session.directory).toBe(stale);
    expect(await exists(join(stale, 'opened.txt'))).toBe(true);
    await acquired[0].session.putFile('after.txt', new Uint8Array([1]));
    expect(await exists(join(stale, 'after.txt'))).toBe(true);
  });

  it('a session opened while the last session of its key closes keeps its directory', async () => {
    const closing = gate();
    let opening = false;
    const manager = managers.create('end', options, {
      opened: () => {
        if (opening) closing.letGo();
      },
      closing: () => closing.released,
    });
    const first = await manager.acquire('thread_ended', 'project_a');
    const ending = first.session.close();
    opening = true;
    const [again] = await Promise.all([manager.acquire('thread_ended', 'project_a'), ending]);

    expect(again.session.alive).toBe(true);
    expect(await exists(join(again.session.directory, 'opened.txt'))).toBe(true);
    // Ended on request: nothing of it is reported lost (its directory was not taken for a leftover).
    expect(again.reset).toBe(false);
  });
});
