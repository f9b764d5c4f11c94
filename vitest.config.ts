import { defineConfig } from 'vitest/config';

const shared = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' as const };

export default defineConfig({
  test: {
    // Tests that spawn `bin/concierge.mjs` run the compiled tree: build it once, before them all.
    globalSetup: ['test/helpers/build-dist.ts'],
    projects: [
      {
        test: {
          ...shared,
          name: 'suite',
          // Most files wait on sockets, child processes and sandboxes more than on the CPU: two at once
          // on two cores (vitest's default here is one).
          maxWorkers: 2,
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/scale/**', '**/node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      // Multi-process cluster tests start several servers each; they run after the rest, on a quiet machine.
      {
        test: {
          ...shared,
          name: 'scale',
          include: ['test/scale/**/*.test.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
