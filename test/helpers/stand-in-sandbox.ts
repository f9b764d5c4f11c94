/**
 * A stand-in code sandbox for the session manager's tests: sessions are directories under
 * `sessionsDirectory`, cells are not run (each takes a moment, so a test can hold a session busy).
 * `hooks` let a test see a session opened and hold a session's close before its directory is deleted.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { putSessionFile } from '../../src/tools/code-interpreter/put-session-file.ts';
import type {
  CellResult,
  Sandbox,
  SandboxSession,
} from '../../src/tools/code-interpreter/sandbox.ts';
import {
  CodeSessionManager,
  type CodeSessionManagerOptions,
} from '../../src/tools/code-interpreter/session-manager.ts';
import { makeDataDir, removeDataDir } from './sandbox.ts';

export interface StandInHooks {
  /** Called once a session's directory exists, with a file `opened.txt` written in it. */
  opened?(directory: string): void;
  /** Awaited by a session's close before it deletes the directory. */
  closing?(directory: string): Promise<void>;
}

export function standInSandbox(sessionsDirectory: string, hooks: StandInHooks = {}): Sandbox {
  return {
    kind: 'bwrap',
    securityBoundary: true,
    missingLibraries: [],
    sessionsDirectory,
    async openSession(key) {
      const directory = join(sessionsDirectory, key);
      await mkdir(directory, { recursive: true });
      await writeFile(join(directory, 'opened.txt'), key);
      hooks.opened?.(directory);
      let closed = false;
      const session: SandboxSession = {
        key,
        directory,
        get alive() {
          return !closed;
        },
        // As the real sandboxes write: names they refuse are refused here too.
        putFile: (name, bytes) => putSessionFile(directory, name, bytes),
        async runCell(): Promise<CellResult> {
          await new Promise((resolve) => setTimeout(resolve, 50));
          return { logs: '', error: null, outputFiles: [], timedOut: false };
        },
        async close() {
          closed = true;
          await hooks.closing?.(directory);
          await rm(directory, { recursive: true, force: true });
        },
      };
      return session;
    },
    async close() {},
  };
}

/**
 * Session managers over stand-in sandboxes for the enclosing `describe`, each in a directory of its
 * own under one data dir (`directory(name)`); all are closed, and the data dir removed, after it.
 */
export function useStandInManagers() {
  let dataDir: string | undefined;
  const managers: CodeSessionManager[] = [];
  beforeAll(async () => {
    dataDir = await makeDataDir();
  });
  afterAll(async () => {
    await Promise.all(managers.map((manager) => manager.close()));
    if (dataDir) await removeDataDir(dataDir);
  });
  const directory = (name: string) => join(dataDir!, name);
  return {
    directory,
    create(
      name: string,
      options: Omit<CodeSessionManagerOptions, 'sandbox'>,
      hooks?: StandInHooks,
    ): CodeSessionManager {
      const manager = new CodeSessionManager({
        sandbox: standInSandbox(directory(name), hooks),
        sweepIntervalMs: 0,
        ...options,
      });
      managers.push(manager);
      return manager;
    },
  };
}
