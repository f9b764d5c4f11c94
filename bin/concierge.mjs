#!/usr/bin/env node
// Entry point of the `concierge` command. It runs the compiled JavaScript in dist/, which `npm ci`
// builds (the `prepare` script); when dist/ is missing or older than src/ (a fresh edit, a checkout)
// it builds it first, so `npm ci && npm start` needs no separate step and never runs stale code.
// It loads the bundle (dist/bundle/), a few files where the per-module tree is hundreds; an install
// without esbuild's native binary (`npm ci --omit=optional`) has no bundle and runs that tree.
import { existsSync } from 'node:fs';
import { build, isStale } from '../scripts/build.mjs';

if (isStale()) await build();
const bundled = new URL('../dist/bundle/cli.js', import.meta.url);
const { runCli } = await import(
  existsSync(bundled) ? bundled.href : new URL('../dist/cli.js', import.meta.url).href
);
process.exitCode = await runCli(process.argv.slice(2));
