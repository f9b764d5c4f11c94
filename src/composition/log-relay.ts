/**
 * The process log before the HTTP server exists. Fastify owns the logger (it is built from
 * `config.logLevel` or the test's override with the server), but the parts that run requests (the
 * worker, the ingestion worker, the sandbox, the event bus) are built before the routes that use them.
 * They log through this relay; lines logged before `attach` are kept and written, in order, on attach.
 */
export interface RelayLog {
  info(message: string): void;
  info(object: object, message: string): void;
  warn(message: string): void;
  warn(object: unknown, message: string): void;
  error(object: unknown, message: string): void;
}

type Level = 'info' | 'warn' | 'error';
type Line = { level: Level; args: [unknown, string?] };

/** What the relay writes to once attached: the server's logger (pino's argument order). */
export type LogTarget = Record<Level, (...args: never[]) => void>;

export interface LogRelay {
  log: RelayLog;
  /** Sends every line to `target` from now on, after the lines kept so far. */
  attach(target: LogTarget): void;
}

/** Lines kept before attach; past this, the oldest are dropped (construction logs only a few). */
const MAX_KEPT_LINES = 100;

export function createLogRelay(): LogRelay {
  let target: LogTarget | undefined;
  const kept: Line[] = [];
  const write = (line: Line): void => {
    if (target) {
      (target[line.level] as (...args: unknown[]) => void)(
        ...line.args.filter((arg, index) => index === 0 || arg !== undefined),
      );
      return;
    }
    kept.push(line);
    if (kept.length > MAX_KEPT_LINES) kept.shift();
  };
  const level =
    (name: Level) =>
    (first: unknown, message?: string): void =>
      write({ level: name, args: [first, message] });
  return {
    log: { info: level('info'), warn: level('warn'), error: level('error') } as RelayLog,
    attach(next) {
      target = next;
      for (const line of kept.splice(0)) write(line);
    },
  };
}
