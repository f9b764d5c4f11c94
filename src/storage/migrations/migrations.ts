/**
 * The numbered migrations, in order. Each is `up(db, dialect)`; branches on the dialect stay in DDL.
 * A migration never changes once released: add a new number instead.
 */
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Dialect } from '../kysely/database.ts';
import * as foundation from './0001-foundation.ts';
import * as runs from './0002-runs.ts';
import * as filesAndVectorStores from './0003-files-and-vector-stores.ts';
import * as serviceAgents from './0004-service-agents.ts';
import * as actionTransitions from './0005-action-transitions.ts';
import * as responses from './0006-responses.ts';
import * as conversations from './0007-conversations.ts';
import * as usageAndLimits from './0008-usage-and-limits.ts';
import * as containers from './0012-containers.ts';
import * as embeddingWindows from './0015-embedding-windows.ts';
import * as limits from './0016-limits.ts';
import * as storedBytesMeter from './0017-stored-bytes-meter.ts';
import * as vectorVersions from './0019-vector-versions.ts';
import * as messagesByRunPartial from './0020-messages-by-run-partial.ts';
import * as actionLeases from './0021-action-leases.ts';

type NumberedMigration = { up(db: Kysely<unknown>, dialect: Dialect): Promise<void> };

const MIGRATIONS: Record<string, NumberedMigration> = {
  '0001-foundation': foundation,
  '0002-runs': runs,
  '0003-files-and-vector-stores': filesAndVectorStores,
  '0004-service-agents': serviceAgents,
  '0005-action-transitions': actionTransitions,
  '0006-responses': responses,
  '0007-conversations': conversations,
  '0008-usage-and-limits': usageAndLimits,
  '0012-containers': containers,
  '0015-embedding-windows': embeddingWindows,
  '0016-limits': limits,
  '0017-stored-bytes-meter': storedBytesMeter,
  '0019-vector-versions': vectorVersions,
  '0020-messages-by-run-partial': messagesByRunPartial,
  '0021-action-leases': actionLeases,
};

class NumberedMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(MIGRATIONS).map(([name, migration]) => [
        name,
        { up: (db: Kysely<unknown>) => migration.up(db, this.dialect) },
      ]),
    );
  }
}

/** Applies every pending migration; returns the names applied. Safe to call on every start. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  // Kysely looks for its migration tables in every schema unless told which one: with several schemas
  // in one database (a test schema per suite, other engineers' suites) it would find another schema's
  // lock table and skip creating its own. Name the connection's schema.
  const schema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]
          ?.schema
      : undefined;
  const migrator = new Migrator({
    ...(schema ? { migrationTableSchema: schema } : {}),
    db,
    provider: new NumberedMigrationProvider(dialect),
    migrationTableName: 'concierge_migrations',
    migrationLockTableName: 'concierge_migrations_lock',
  });
  let outcome = await migrator.migrateToLatest();
  // Kysely's table lookup reads every schema of the database; one dropped while it reads (another
  // tenant's, another suite's) fails it with "schema does not exist", "relation does not exist", or
  // (asking a serial column's sequence of a table being dropped) "column does not exist". Nothing was
  // applied then (on PostgreSQL a failed migration's transaction rolls back in any case): retry.
  for (let attempt = 1; attempt < 5 && isVanishedSchema(outcome.error); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    outcome = await migrator.migrateToLatest();
  }
  const { error, results = [] } = outcome;
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return results
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}

function isVanishedSchema(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code === '3F000' || code === '42P01' || code === '42703';
}
