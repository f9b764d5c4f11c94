/**
 * Builds the playground into `web/dist`, which is committed: `npm ci && npm start` serves it with no
 * build step. `npm run build:web` rebuilds it; a test fails when the committed build and the source differ.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  logLevel: 'warn',
  // The same bundle whatever NODE_ENV the builder runs under (vitest sets "test"): React's production build.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: resolve(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    modulePreload: { polyfill: false },
  },
});
