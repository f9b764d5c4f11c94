import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bwrapAvailable,
  makeDataDir,
  removeDataDir,
  runningAsRoot,
} from '../../../test/helpers/sandbox.ts';
import { ConfigError } from '../../config/load-config.ts';
import { selectSandbox } from './select-sandbox.ts';

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
    expect(await selectSandbox({ mode: 'off', dataDir, log })).toBeNull();
    expect(log.infos.at(-1)).toContain('CONCIERGE_CODE_SANDBOX=off');
  });

  it.runIf(bwrapAvailable)('auto picks bwrap where the host can run it', async () => {
    const sandbox = await selectSandbox({ mode: 'auto', dataDir, log });
    try {
      expect(sandbox).toMatchObject({
        kind: 'bwrap',
        securityBoundary: true,
        sessionsDirectory: join(dataDir, 'sandboxes'),
      });
    } finally {
      await sandbox?.close();
    }
  });

  describe.runIf(bwrapAvailable && runningAsRoot)('when jails cannot reach the data dir', () => {
    let unreachable: string;

    beforeAll(async () => {
      unreachable = join(dataDir, 'private', 'data');
      await mkdir(unreachable, { recursive: true });
      await chmod(join(dataDir, 'private'), 0o700);
    });

    it('bwrap fails with a configuration error that names the variable and the fix', async () => {
      const selecting = selectSandbox({ mode: 'bwrap', dataDir: unreachable, log });
      await expect(selecting).rejects.toBeInstanceOf(ConfigError);
      await expect(selecting).rejects.toThrow(
        /CONCIERGE_CODE_SANDBOX=bwrap, but that backend cannot run on this host: .*chmod o\+x/,
      );
    });

    it('auto falls back to Pyodide and warns why', async () => {
      log.warnings.length = 0;
      const sandbox = await selectSandbox({ mode: 'auto', dataDir: unreachable, log });
      try {
        expect(sandbox).toMatchObject({ kind: 'pyodide', securityBoundary: false });
        expect(log.warnings[0]).toMatch(/bwrap sandbox is unavailable .*falling back to Pyodide/);
        expect(log.warnings[1]).toContain('NOT a security boundary');
      } finally {
        await sandbox?.close();
      }
    });
  });
});
