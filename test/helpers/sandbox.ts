/**
 * The code_interpreter sandbox for tests. `CONCIERGE_TEST_REQUIRE_SANDBOX=1` (set by .ci/run, after
 * scripts/install-system-packages.sh) turns a host that cannot run the bwrap backend into a failure;
 * without it such a host reports the bwrap suites as skipped.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createBwrapSandbox,
  type BwrapSandboxOptions,
} from '../../src/tools/code-interpreter/bwrap/bwrap-sandbox.ts';
import type { Sandbox } from '../../src/tools/code-interpreter/sandbox.ts';
import { SandboxUnavailableError } from '../../src/tools/code-interpreter/sandbox-unavailable-error.ts';

const required = process.env['CONCIERGE_TEST_REQUIRE_SANDBOX'] === '1';

/** A fresh, private (0700, as mkdtemp makes it) data dir. */
export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'concierge-sandbox-test-'));
}

export async function removeDataDir(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}

/** A bwrap sandbox under `<dataDir>/sandboxes`, or undefined when this host cannot run one (and CI does not require it). */
export async function tryBwrapSandbox(
  dataDir: string,
  options: Partial<BwrapSandboxOptions> = {},
): Promise<Sandbox | undefined> {
  try {
    return await createBwrapSandbox({ sessionsDirectory: join(dataDir, 'sandboxes'), ...options });
  } catch (error) {
    if (error instanceof SandboxUnavailableError && !required) return undefined;
    throw error;
  }
}

/** Whether the bwrap backend runs here; computed once per test file. Throws when CI requires it and it does not. */
export const bwrapAvailable = await (async () => {
  const dataDir = await makeDataDir();
  try {
    const sandbox = await tryBwrapSandbox(dataDir);
    await sandbox?.close();
    return sandbox !== undefined;
  } finally {
    await removeDataDir(dataDir);
  }
})();

/** Whether this process is root (per-session host uids are used only then). */
export const runningAsRoot = process.getuid?.() === 0;
