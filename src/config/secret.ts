/**
 * A configuration value that must never be printed: logs, `JSON.stringify`, `util.inspect` and string
 * conversion all show `[redacted]`. Only the module that uses the secret calls `reveal()`.
 */
import { inspect } from 'node:util';

const REDACTED = '[redacted]';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself, for the one module that needs it (e.g. the chain signer). */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
