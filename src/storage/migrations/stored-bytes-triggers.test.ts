/**
 * The stored-bytes trigger of `vector_store_files` (migration 0017) acts only on updates that name
 * `usage_bytes`: the `vectors_version` updates that migration 0019's triggers make for every write of
 * a file's embeddings do not run it. SQLite: the trigger programs compiled into each statement
 * (`EXPLAIN`'s `Program` opcodes). PostgreSQL: the meter function's calls in the transaction.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { withMigratedSqlite } from '../../../test/helpers/migrated-sqlite.ts';
import {
  createTestPostgresStore,
  dropSchema,
  postgresAvailable,
  postgresTestUrl,
} from '../../../test/helpers/postgres.ts';
import {
  inProgressFile,
  meterCalls,
  vectorStoreRecord,
} from '../../../test/helpers/vector-store-fixtures.ts';
import { newId } from '../../domain/ids.ts';

describe('the stored-bytes trigger of vector_store_files', () => {
  it('is not compiled into an update of vectors_version on SQLite', async () => {
    await withMigratedSqlite((connection) => {
      const programs = (statement: string) =>
        connection
          .prepare(`explain ${statement}`)
          .all()
          .filter((row) => (row as { opcode: string }).opcode === 'Program').length;
      // 0019's statement, as its chunk_embeddings triggers run it.
      expect(programs(`update vector_store_files set vectors_version = 2 where id = 'x'`)).toBe(0);
      expect(programs(`update vector_store_files set usage_bytes = 1 where id = 'x'`)).toBe(1);
    });
  });

  it.runIf(postgresAvailable)(
    "is not called when a file's embeddings change its vectors_version on PostgreSQL",
    async () => {
      const { store, schema } = await createTestPostgresStore();
      const client = new pg.Client({ connectionString: postgresTestUrl });
      await client.connect();
      try {
        const project = 'proj_triggers';
        const vectorStoreId = newId('vectorStore');
        const fileId = newId('file');
        await store.vectorStores.insert(project, vectorStoreRecord(vectorStoreId));
        await store.vectorStoreFiles.upsert(project, inProgressFile(fileId, vectorStoreId), null);
        const vector = new Float32Array([1, 0, 0]);
        await client.query(`set search_path = "${schema}"`);
        await client.query('begin');
        await client.query(`set local track_functions = 'pl'`);
        const calls = () => meterCalls(client);
        const version = async () =>
          (
            await client.query<{ version: string | null }>(
              'select vectors_version as version from vector_store_files where id = $1',
              [fileId],
            )
          ).rows[0]!.version;
        // The chunks and embeddings as the repository writes them, then the file indexed.
        await store.chunks.replaceForFile(
          vectorStoreId,
          fileId,
          [{ text: 'a', embeddings: [vector] }],
          'm',
        );
        const before = await version();
        await client.query('delete from chunk_embeddings where file_id = $1', [fileId]);
        expect(before).not.toBeNull();
        expect(await version()).not.toBe(before);
        expect(await calls()).toBe(0);
        await client.query('update vector_store_files set usage_bytes = 5 where id = $1', [fileId]);
        expect(await calls()).toBe(1);
        await client.query('rollback');
      } finally {
        await client.end();
        await store.close();
        await dropSchema(schema);
      }
    },
  );
});
