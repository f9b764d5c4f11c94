/**
 * Migrating a schema while other schemas of the same database come and go (other tenants, other
 * suites): Kysely's table lookup reads every schema, so a drop during it must not fail the migration.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  createTestPostgresStore,
  dropSchema,
  newSchemaName,
  postgresAvailable,
  postgresTestUrl,
} from '../../../test/helpers/postgres.ts';

describe.runIf(postgresAvailable)('migrations on PostgreSQL', () => {
  it('migrate while other schemas are created and dropped around them', async () => {
    const churn = new pg.Client({ connectionString: postgresTestUrl });
    await churn.connect();
    const churnState = { stop: false };
    const churning = (async () => {
      while (!churnState.stop) {
        const schema = newSchemaName();
        await churn.query(`create schema "${schema}"`);
        for (let table = 0; table < 20; table += 1)
          await churn.query(
            `create table "${schema}".t${table} (id serial primary key, body text)`,
          );
        await churn.query(`drop schema "${schema}" cascade`);
      }
    })();
    const stores: { schema: string; close: () => Promise<void> }[] = [];
    try {
      for (let round = 0; round < 2; round += 1) {
        const migrated = await Promise.all(
          Array.from({ length: 3 }, async () => {
            const { store, schema } = await createTestPostgresStore();
            stores.push({ schema, close: () => store.close() });
            return store.migrate();
          }),
        );
        // Each store was migrated by `createTestPostgresStore`; a second call has nothing left to apply.
        expect(migrated).toEqual([[], [], []]);
      }
    } finally {
      churnState.stop = true;
      await churning;
      await churn.end();
      for (const { schema, close } of stores) {
        await close();
        await dropSchema(schema);
      }
    }
  }, 60_000);
});
