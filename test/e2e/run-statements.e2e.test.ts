/**
 * A structural guard on what one plain streamed run costs the database: the SQL statements and the
 * transactions of `createAndRunStream` with one text answer, from the request to the end of the
 * stream (API node and worker in one process), on SQLite and on PostgreSQL. It counts statements, not
 * time: a change that adds a read or a transaction to every run fails here, and a change that removes
 * one lowers the numbers. It also counts the statements built with Kysely's query builder (compiled
 * per call, a visible CPU cost): none are, every statement of a plain run is written out in SQL (the
 * assistant's read, the creation's inserts, the answer's message and step, every token's and the
 * end's writes). The counting wraps the drivers (better-sqlite3's statements, pg's client) and Kysely's query
 * compiler in this test only.
 */
import Database from 'better-sqlite3';
import {
  DefaultQueryCompiler,
  TransactionBuilder,
  type CompiledQuery,
  type RootOperationNode,
} from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../helpers/databases.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';
import { waitFor } from '../helpers/wait-for.ts';
/**
 * The worker's and the ingestion queue's upkeep on timers (polling for work, the expiry sweep, lease
 * renewal): not part of a run, and their timing would make the count flaky.
 */
const UPKEEP = [
  /^update "runs" set "locked_by" = \?, "lease_until" = \? where "id" = \(select "candidate"/,
  /^update "runs" set "lease_until" = \? where "id" in/,
  /^select \* from "runs" where "status" in \(\?, \?\) and "expires_at" <= \?/,
  /^\s*update vector_store_files\s+set lease_owner/,
];

const executed: string[] = [];
/** The statements Kysely's query builder compiled while recording. */
const built = new Set<string>();
let recording = false;

/** PostgreSQL's placeholders ($1, $2…) read as SQLite's, so one set of patterns fits both. */
function normalized(source: string): string {
  return source.replace(/\$\d+/g, '?').replace(/\s+/g, ' ').trim();
}

function record(source: string): void {
  const statement = normalized(source);
  if (recording && !UPKEEP.some((pattern) => pattern.test(statement))) executed.push(statement);
}

const restore: Array<() => void> = [];
const probe = new Database(':memory:');
const statementPrototype = Object.getPrototypeOf(probe.prepare('select 1')) as Record<
  string,
  (...args: unknown[]) => unknown
>;
for (const method of ['run', 'all', 'get', 'iterate']) {
  const original = statementPrototype[method]!;
  restore.push(() => (statementPrototype[method] = original));
  statementPrototype[method] = function (this: { source: string }, ...args: unknown[]) {
    record(this.source);
    return original.apply(this, args);
  };
}
const compilerPrototype = DefaultQueryCompiler.prototype as unknown as {
  compileQuery(node: RootOperationNode, queryId: unknown): CompiledQuery;
};
const originalCompile = compilerPrototype.compileQuery;
restore.push(() => (compilerPrototype.compileQuery = originalCompile));
compilerPrototype.compileQuery = function (this: DefaultQueryCompiler, ...args) {
  const compiled = originalCompile.apply(this, args);
  if (recording) built.add(normalized(compiled.sql));
  return compiled;
};
/** Transactions Kysely built (SQLite runs its own on its one connection: sqlite-driver.ts). */
let kyselyTransactions = 0;
const originalExecute = TransactionBuilder.prototype.execute;
restore.push(() => (TransactionBuilder.prototype.execute = originalExecute));
TransactionBuilder.prototype.execute = function (this: TransactionBuilder<never>, ...args) {
  if (recording) kyselyTransactions += 1;
  return originalExecute.apply(this, args) as never;
};
const clientPrototype = pg.Client.prototype as unknown as Record<
  string,
  (...args: unknown[]) => unknown
>;
const originalQuery = clientPrototype['query']!;
restore.push(() => (clientPrototype['query'] = originalQuery));
clientPrototype['query'] = function (this: unknown, ...args: unknown[]) {
  const [query] = args;
  record(typeof query === 'string' ? query : String((query as { text?: unknown }).text ?? ''));
  return originalQuery.apply(this, args);
};

/**
 * Statements, reads, and transactions: explicit ones, and each write outside one (autocommit); and
 * how many statements the query builder built.
 */
function summary(statements: string[]) {
  let inTransaction = false;
  let transactions = 0;
  let reads = 0;
  let builtStatements = 0;
  for (const statement of statements) {
    if (built.has(statement)) builtStatements += 1;
    if (statement === 'begin immediate' || statement === 'begin') {
      inTransaction = true;
      transactions += 1;
    } else if (statement === 'commit' || statement === 'rollback') inTransaction = false;
    else if (statement.startsWith('select')) reads += 1;
    else if (!inTransaction) transactions += 1;
  }
  return { statements: statements.length, reads, transactions, built: builtStatements };
}

/** The writes of every token and of a run's end: written out in SQL, never built per call. */
const WRITTEN_OUT = [
  /^insert into "run_events"/,
  /^update "runs" set "status"/,
  /^with updated as \(update "runs" set "status"/,
  /^with written0 as \(insert into "messages"/,
  /^update "messages" set "run_id" = \?, "object" = \?/,
  /^update "run_steps" set "object"/,
  /^insert into "usage_records"/,
];

/**
 * What one run costs, by database. The one read is the assistant's. The worker does not read the
 * thread's messages back (the creation made the thread and hands them over, run-hand-off.ts), nor
 * does the stream read the run's first events (the creation hands them over, run-event-stream.ts).
 * The transactions: the creation, `in_progress`, the message's opening, the run's end. On PostgreSQL
 * each of the worker's three is one statement (`compare-and-set-statement.ts`: the status update, the
 * message and step it opens or closes, the usage record and the events, as data-modifying CTEs) where
 * SQLite runs a transaction (`in_progress` 4 statements, the opening 5, the end 7). The creation is
 * a transaction of six on SQLite; on PostgreSQL, with no step that needs a transaction (no limits to
 * admit, no files), one statement: the thread, message, run and events inserts as data-modifying CTEs
 * (`runs.insert`). There the assistant comes from the API node's cache after its first read: the
 * creation's statement checks the assistant's version instead (`assistant-versions.test.ts`).
 */
const EXPECTED = {
  sqlite: { statements: 23, reads: 1, transactions: 4, built: 0 },
  postgres: { statements: 4, reads: 0, transactions: 4, built: 0 },
};

/**
 * `runs.stream` on a thread that exists: the same, but for the creation's inserts of a thread and
 * message; three reads, the assistant's, the thread's (it must exist) and its messages (the worker's
 * first turn); on PostgreSQL two, the assistant coming from the cache.
 */
const EXPECTED_ON_THREAD = {
  sqlite: { statements: 23, reads: 3, transactions: 4, built: 0 },
  postgres: { statements: 6, reads: 2, transactions: 4, built: 0 },
};

/** The read of a thread's messages by a worker that claimed a new run (SQLite; not a handed-off one). */
function claimedRunsMessages(statement: string): boolean {
  return statement.startsWith(
    'select * from "messages" where "thread_id" = ? and "project_id" = ?',
  );
}

describe.each(testDatabases)('the database work of one streamed run (%s)', (database) => {
  let bed: RunTestBed;
  let assistantId: string;

  beforeAll(async () => {
    bed = await createRunTestBed({ database });
    assistantId = (await bed.client.beta.assistants.create({ model: 'gpt-4o' })).id;
  });
  afterAll(async () => {
    await bed.close();
  });

  async function oneRun(onThread?: string): Promise<string[]> {
    bed.upstream.enqueue({
      chunks: ['Hello there, world!'],
      usage: { prompt_tokens: 5, completion_tokens: 4 },
    });
    executed.length = 0;
    built.clear();
    kyselyTransactions = 0;
    recording = true;
    try {
      const stream = onThread
        ? bed.client.beta.threads.runs.stream(onThread, { assistant_id: assistantId })
        : bed.client.beta.threads.createAndRunStream({
            assistant_id: assistantId,
            thread: { messages: [{ role: 'user', content: 'Hi' }] },
          });
      const run = await stream.finalRun();
      expect(run.status).toBe('completed');
      // The worker's last writes may land after the client read the final event: wait for the lease.
      for (let attempt = 0; attempt < 100 && bed.app.worker!.active > 0; attempt++)
        await new Promise((resolve) => setImmediate(resolve));
      return [...executed];
    } finally {
      recording = false;
    }
  }

  it('stays within its statements and transactions', async () => {
    await oneRun(); // the first run warms what is cached per process
    const statements = await oneRun();
    expect(summary(statements), statements.join('\n')).toEqual(EXPECTED[database]);
    const builtWrites = statements.filter(
      (statement) => built.has(statement) && WRITTEN_OUT.some((pattern) => pattern.test(statement)),
    );
    expect(builtWrites).toEqual([]);
    // On SQLite every transaction of the run, the repositories' own included, is the driver's;
    // PostgreSQL's are Kysely's (a pooled connection each), not counted here.
    const builtByKysely = database === 'sqlite' ? kyselyTransactions : 0;
    expect(builtByKysely).toBe(0);
  });

  // A burst's runs cost what one run costs: no statement of a run grows with the number of runs
  // going at once (bench/README.md, `burstcpu`: a burst run's extra CPU is V8's warm-up, not work).
  // Those the worker claims (its admission held them back at insert) read their thread's messages
  // once on SQLite (PostgreSQL's claim returns them): at most one read more a run.
  // The model answers none of them before all of them asked: the runs and their streams are all
  // going at once.
  it('runs started at once each cost what one run costs', async () => {
    const count = 24;
    await oneRun();
    let answer!: () => void;
    const gate = new Promise<void>((resolve) => (answer = resolve));
    for (let index = 0; index < count; index++)
      bed.upstream.enqueue({
        chunks: ['Hello there, world!'],
        usage: { prompt_tokens: 5, completion_tokens: 4 },
        gate,
      });
    const asked = bed.upstream.requests.length + count;
    executed.length = 0;
    recording = true;
    try {
      const finished = Promise.all(
        Array.from({ length: count }, () =>
          bed.client.beta.threads
            .createAndRunStream({
              assistant_id: assistantId,
              thread: { messages: [{ role: 'user', content: 'Hi' }] },
            })
            .finalRun(),
        ),
      );
      await waitFor(async () => bed.upstream.requests.length >= asked, `${count} model requests`);
      answer();
      const runs = await finished;
      expect(runs.map((run) => run.status)).toEqual(runs.map(() => 'completed'));
      for (let attempt = 0; attempt < 1000 && bed.app.worker!.active > 0; attempt++)
        await new Promise((resolve) => setImmediate(resolve));
    } finally {
      recording = false;
    }
    const statements = executed.filter((statement) => !claimedRunsMessages(statement));
    const one = EXPECTED[database];
    expect(
      { ...summary(statements), built: 0 },
      `${statements.length} statements for ${count} runs`,
    ).toEqual({
      statements: one.statements * count,
      reads: one.reads * count,
      transactions: one.transactions * count,
      built: 0,
    });
    expect(executed.filter(claimedRunsMessages).length).toBeLessThanOrEqual(
      database === 'sqlite' ? count : 0,
    );
  });

  it('a run on an existing thread stays within its statements and transactions', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Hi' }],
    });
    await oneRun(thread.id);
    const statements = await oneRun(thread.id);
    expect(summary(statements), statements.join('\n')).toEqual(EXPECTED_ON_THREAD[database]);
  });
});

afterAll(() => {
  for (const undo of restore) undo();
  probe.close();
});
