// Worker threads do not inherit the TypeScript loader registered in the main thread, so the worker
// registers it itself before loading its TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./embed-worker.ts');
