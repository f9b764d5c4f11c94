/**
 * The worker thread that checks one call's arguments against a schema with regular expressions
 * (`pattern`, `patternProperties`): it says when it starts, so the caller's time limit counts the
 * matching only, then answers with the outcome. The caller terminates it when the time is up.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileInputSchema, validateInput } from './input-validation.ts';

const port = parentPort;
if (!port) throw new Error('input-validation-worker.ts must run in a worker thread.');

const { schema, argumentsText } = workerData as {
  schema: Record<string, unknown>;
  argumentsText: string;
};
// Compiling is bounded by the schema's size (and was done when the agent was saved); matching is not.
compileInputSchema(schema);
port.postMessage({ started: true });
port.postMessage({ outcome: validateInput(schema, argumentsText) });
