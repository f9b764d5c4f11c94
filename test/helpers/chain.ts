/** Helpers for chain tests: throwaway data directories and a shared, content-addressed artifact cache. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Compiled demo contracts, shared by every test process. The cache is keyed by a hash of sources and
 * settings, so sharing it can never hand out a stale artifact; it only saves the recompilation.
 */
export const sharedArtifactsDirectory = join(tmpdir(), 'concierge-test-artifacts');

/** A fresh data directory; `remove` deletes it. */
export function temporaryDataDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'concierge-chain-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
