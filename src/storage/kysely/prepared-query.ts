/**
 * Hot queries compiled once. Kysely builds and compiles a query's syntax tree on every call; for a query
 * whose shape never changes, `preparedQuery` compiles it once with marker values in place of the
 * arguments, then runs the same SQL with the real arguments substituted at the markers' positions.
 * (Each dialect's placeholders come from Kysely's own compiler, so the same code serves both.)
 */
import {
  createQueryId,
  type Compilable,
  type CompiledQuery,
  type Kysely,
  type QueryResult,
} from 'kysely';
import type { Database } from './database.ts';

/** A parameter the query is built with; replaced by the call's argument of the same index. */
export interface Marker {
  readonly marker: number;
}

function isMarker(value: unknown): value is Marker {
  return (
    typeof value === 'object' &&
    value !== null &&
    'marker' in value &&
    Object.keys(value).length === 1
  );
}

/** A query compiled once: call it to run it through Kysely, or take its `statement` for a
 * direct run. */
export interface PreparedQuery<Row> {
  (...args: unknown[]): Promise<QueryResult<Row>>;
  /** The statement's SQL text and its parameters for these arguments (see direct-statements.ts). */
  statement(...args: unknown[]): { sql: string; parameters: unknown[] };
}

/**
 * Returns a function that runs the query `build` describes, with `arity` arguments. `build` receives
 * one marker per argument and must use each only as a plain parameter value (not to decide the shape).
 */
export function preparedQuery<Row>(
  db: Kysely<Database>,
  arity: number,
  build: (...markers: Marker[]) => Compilable<Row>,
): PreparedQuery<Row> {
  let compiled:
    | {
        query: CompiledQuery<Row>;
        positions: Array<[index: number, argument: number]>;
      }
    | undefined;
  const compile = () => {
    if (!compiled) {
      const markers = Array.from({ length: arity }, (_, marker) => ({ marker }));
      const query = build(...markers).compile();
      const positions: Array<[number, number]> = [];
      query.parameters.forEach((parameter, index) => {
        if (isMarker(parameter)) positions.push([index, parameter.marker]);
      });
      compiled = { query, positions };
    }
    return compiled;
  };
  const parametersOf = (args: unknown[]): unknown[] => {
    const { query, positions } = compile();
    const parameters = [...query.parameters];
    for (const [index, argument] of positions) parameters[index] = args[argument];
    return parameters;
  };
  const run = (...args: unknown[]): Promise<QueryResult<Row>> => {
    const parameters = parametersOf(args);
    // The compiled query itself with this call's parameters (no raw node re-made per call).
    return db.executeQuery<Row>({ ...compile().query, parameters, queryId: createQueryId() });
  };
  return Object.assign(run, {
    statement: (...args: unknown[]) => ({
      sql: compile().query.sql,
      parameters: parametersOf(args),
    }),
  });
}
