#!/usr/bin/env node
// Entry point of the `concierge` command. The source is TypeScript run through tsx,
// so `npm ci && npm start` needs no separate build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
