// A worker thread's entry. In the compiled tree (dist/) its JavaScript body sits beside it. Under the
// TypeScript sources (tests, tsx), worker threads do not inherit the loader registered in the main
// thread, so the worker registers it itself before loading its TypeScript body.
import { existsSync } from 'node:fs';

const compiled = new URL('./input-validation-worker.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./input-validation-worker.ts');
}
