import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bwrapAvailable, makeDataDir, removeDataDir } from '../../../test/helpers/sandbox.ts';
import { createCodeSessions } from './code-sessions.ts';
import type { Sandbox } from './sandbox.ts';
import { SandboxUnavailableError } from './sandbox-unavailable-error.ts';
import { selectSandbox, type SandboxBackends } from './select-sandbox.ts';

/** Backends for a host without bubblewrap, counting how often Pyodide was started. */
function hostWithoutBwrap() {
  const started = { pyodide: 0 };
  const backends: SandboxBackends = {
    bwrap: () => Promise.reject(new SandboxUnavailableError('bwrap is not installed')),
    pyodide: (options) => {
      started.pyodide++;
      return Promise.resolve({
        kind: 'pyodide',
        securityBoundary: false,
        missingLibraries: [],
        sessionsDirectory: options.sessionsDirectory,
        openSession: () => Promise.reject(new Error('not used')),
        close: () => Promise.resolve(),
      } satisfies Sandbox);
    },
  };
  return { backends, started };
}

describe('selecting the code sandbox from CONCIERGE_CODE_SANDBOX', () => {
  let dataDir: string;
  const log = {
    infos: [] as string[],
    warnings: [] as string[],
    info: (message: string) => log.infos.push(message),
    warn: (message: string) => log.warnings.push(message),
  };

  beforeAll(async () => {
    dataDir = await makeDataDir();
  });

  afterAll(async () => {
    await removeDataDir(dataDir);
  });

  it('off gives no sandbox and says so', async () => {
    expect(await selectSandbox({ mode: 'off', dataDir, log, exposed: false })).toBeNull();
    expect(log.infos.at(-1)).toContain('CONCIERGE_CODE_SANDBOX=off');
  });

  it.runIf(bwrapAvailable)(
    'auto picks bwrap where the host can run it, also for a data dir under a private (0700) parent',
    async () => {
      const privateParent = join(dataDir, 'home');
      await mkdir(join(privateParent, 'user', 'data'), { recursive: true });
      await chmod(privateParent, 0o700);
      for (const candidate of [dataDir, join(privateParent, 'user', 'data')]) {
        const sandbox = await selectSandbox({
          mode: 'auto',
          dataDir: candidate,
          log,
          exposed: true,
        });
        try {
          expect(sandbox).toMatchObject({
            kind: 'bwrap',
            securityBoundary: true,
            sessionsDirectory: join(candidate, 'sandboxes'),
          });
        } finally {
          await sandbox?.close();
        }
      }
    },
  );

  it('auto on a dev server without bwrap falls back to Pyodide and warns why', async () => {
    const host = hostWithoutBwrap();
    log.warnings.length = 0;
    const sandbox = await selectSandbox({
      mode: 'auto',
      dataDir,
      log,
      exposed: false,
      backends: host.backends,
    });
    expect(sandbox).toMatchObject({ kind: 'pyodide', securityBoundary: false });
    expect(log.warnings[0]).toMatch(
      /bwrap sandbox is unavailable \(bwrap is not installed\); falling back to Pyodide/,
    );
  });

  it('auto on an exposed server without bwrap never falls back, and names the fix', async () => {
    const host = hostWithoutBwrap();
    const selecting = selectSandbox({
      mode: 'auto',
      dataDir,
      log,
      exposed: true,
      backends: host.backends,
    });
    await expect(selecting).rejects.toBeInstanceOf(SandboxUnavailableError);
    await expect(selecting).rejects.toThrow(
      /CONCIERGE_API_KEY set.*bwrap is not installed.*scripts\/install-system-packages\.sh.*CONCIERGE_CODE_SANDBOX=pyodide/,
    );
    expect(host.started.pyodide).toBe(0);

    const sessions = await createCodeSessions(
      {
        codeSandbox: 'auto',
        dataDir,
        codeSessionIdleSeconds: 60,
        codeMaxSessions: 4,
        codeMaxSessionsPerProject: undefined,
        apiKey: 'sk-admin-key',
      },
      log,
      host.backends,
    );
    expect(await sessions.get()).toMatchObject({
      manager: null,
      refused: true,
      reason: expect.stringContaining('CONCIERGE_CODE_SANDBOX=pyodide'),
    });
    expect(host.started.pyodide).toBe(0);
    await sessions.close();
  });

  it('an exposed server runs Pyodide when the operator chose it explicitly', async () => {
    const host = hostWithoutBwrap();
    const sandbox = await selectSandbox({
      mode: 'pyodide',
      dataDir,
      log,
      exposed: true,
      backends: host.backends,
    });
    expect(sandbox?.kind).toBe('pyodide');
    expect(host.started.pyodide).toBe(1);
  });
});
