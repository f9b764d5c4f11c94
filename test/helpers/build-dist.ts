/**
 * Vitest global setup: brings dist/ up to date once, before any test file starts, so the tests that
 * spawn `bin/concierge.mjs` run the current sources and never race to build dist/ themselves.
 */
import { build, isStale } from '../../scripts/build.mjs';

export default async function buildDist(): Promise<void> {
  if (isStale()) await build();
}
