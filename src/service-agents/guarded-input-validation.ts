/**
 * A call's arguments checked against its agent's input schema without letting the schema's regular
 * expressions hold the event loop. Input schemas are written by users (and a model writes the
 * arguments, from text anyone may have put in the conversation); a `pattern` such as `^(a+)+$`
 * backtracks exponentially on `aaaa…!`, which would stop every request and run of the process. A
 * schema with `pattern` or `patternProperties` is therefore checked in a worker thread of its own,
 * stopped when its matching passes the time limit; other schemas are checked in place.
 */
import { Worker } from 'node:worker_threads';
import { validateInput } from './input-validation.ts';

export type InputValidation = { input: Record<string, unknown> } | { error: string };

/** How long a worker may spend matching one call's arguments, from the moment it starts. */
export const PATTERN_TIME_LIMIT_MILLISECONDS = 1000;

const REGEX_KEYWORD = /"pattern(?:Properties)?":/;

/** Whether checking against `schema` runs a regular expression the schema's author wrote. */
export function hasPatterns(schema: Record<string, unknown>): boolean {
  return REGEX_KEYWORD.test(JSON.stringify(schema));
}

/** `validateInput`, in a worker with a time limit when the schema has patterns. */
export async function validateInputGuarded(
  schema: Record<string, unknown>,
  argumentsText: string,
  timeLimitMilliseconds = PATTERN_TIME_LIMIT_MILLISECONDS,
): Promise<InputValidation> {
  if (!hasPatterns(schema)) return validateInput(schema, argumentsText);
  const worker = new Worker(new URL('./input-validation-worker-entry.mjs', import.meta.url), {
    workerData: { schema, argumentsText },
  });
  return new Promise<InputValidation>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: InputValidation) => {
      clearTimeout(timer);
      worker.removeAllListeners();
      worker.on('error', () => {});
      // Ends a worker stuck in a match; one that answered is ending on its own.
      void worker.terminate();
      resolve(outcome);
    };
    worker.on('message', (message: { started?: true; outcome?: InputValidation }) => {
      if (message.outcome) return finish(message.outcome);
      timer = setTimeout(
        () =>
          finish({
            error: `The arguments could not be checked against the agent's input schema: its patterns took more than ${timeLimitMilliseconds / 1000} s on them.`,
          }),
        timeLimitMilliseconds,
      );
    });
    worker.on('error', (error) =>
      finish({ error: `The arguments could not be checked: ${error.message}.` }),
    );
    worker.on('exit', () => finish({ error: 'The arguments could not be checked.' }));
  });
}
