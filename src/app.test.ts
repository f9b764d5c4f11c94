import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createApp } from './app.ts';
import { ConfigSchema } from './config/config-schema.ts';
import { createSqliteStore } from './storage/sqlite/sqlite-store.ts';
import { SandboxUnavailableError } from './tools/code-interpreter/sandbox-unavailable-error.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'concierge-app-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const unavailable = () => Promise.reject(new SandboxUnavailableError('bwrap is not installed'));

describe('createApp', () => {
  it('closes what it had opened when a later part fails to start', async () => {
    const store = createSqliteStore(':memory:');
    const close = vi.spyOn(store, 'close');
    const config = ConfigSchema.parse({ port: 0, dataDir, codeSandbox: 'bwrap' });
    await expect(
      createApp(config, {
        store,
        logger: false,
        codeSandboxBackends: { bwrap: unavailable, pyodide: unavailable },
      }),
    ).rejects.toThrow(/bwrap is not installed/);
    expect(close).toHaveBeenCalledTimes(1);
  });
});
