/**
 * The worker thread that checks calls' arguments against schemas with regular expressions (`pattern`,
 * `patternProperties`), one call at a time in the order they arrive. For each it says when it starts
 * matching, so the caller's time limit counts the matching only, then answers with the outcome. The
 * caller terminates it when the time is up (guarded-input-validation.ts).
 */
import { parentPort } from 'node:worker_threads';
import { compileInputSchema, validateInput } from './input-validation.ts';

/** One call to check. */
export interface ValidationRequest {
  id: number;
  schema: Record<string, unknown>;
  argumentsText: string;
}

export type ValidationReply =
  | { id: number; started: true }
  | { id: number; outcome: { input: Record<string, unknown> } | { error: string } };

const port = parentPort;
if (!port) throw new Error('input-validation-worker.ts must run in a worker thread.');

const reply = (message: ValidationReply) => port.postMessage(message);

port.on('message', ({ id, schema, argumentsText }: ValidationRequest) => {
  try {
    // Compiling is bounded by the schema's size (and was done when the agent was saved), and cached
    // per schema for the worker's life; matching is not bounded.
    compileInputSchema(schema);
  } catch (error) {
    return reply({
      id,
      outcome: { error: `The arguments could not be checked: ${(error as Error).message}.` },
    });
  }
  reply({ id, started: true });
  reply({ id, outcome: validateInput(schema, argumentsText) });
});
