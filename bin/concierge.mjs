#!/usr/bin/env node
// Entry point of the `concierge` command. It runs the compiled JavaScript in dist/, which `npm ci`
// builds (the `prepare` script); when dist/ is missing or older than src/ (a fresh edit, a checkout)
// it builds it first, so `npm ci && npm start` needs no separate step and never runs stale code.
// It loads the bundle (dist/bundle/), a few files where the per-module tree is hundreds.
import { build, isStale } from '../scripts/build.mjs';

if (isStale()) await build();
const { runCli } = await import('../dist/bundle/cli.js');
process.exitCode = await runCli(process.argv.slice(2));
