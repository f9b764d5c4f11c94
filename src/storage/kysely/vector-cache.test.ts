/**
 * The vectors held in memory (vector-cache.ts), on SQLite and PostgreSQL: a search decodes each
 * file's vectors once per version, a warm search runs two statements and reads no embedding, and a
 * file whose vectors change (re-ingested, re-embedded, removed) is reloaded alone. Counted through
 * a second connection with a query log: statements and rows, not timings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import * as sqliteVec from 'sqlite-vec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../test/helpers/databases.ts';
import { inProgressFile, vectorStoreRecord } from '../../../test/helpers/vector-store-fixtures.ts';
import {
  createTestPostgresStore,
  dropSchema,
  postgresTestUrl,
} from '../../../test/helpers/postgres.ts';
import { newId } from '../../domain/ids.ts';
import { postgresClientConfig } from '../postgres/postgres-store.ts';
import { createSqliteStore } from '../sqlite/sqlite-store.ts';
import { CachedSqliteDialect } from '../sqlite/sqlite-driver.ts';
import type { Store } from '../store.ts';
import type { Database } from './database.ts';
import { fromFloat32Blob } from './embedding-cache-repository.ts';
import { createVectorCache } from './vector-cache.ts';

const PROJECT = 'proj_vectors';
const MODEL = 'test-model';

function unit(values: number[]): Float32Array {
  const norm = Math.hypot(...values);
  return new Float32Array(values.map((value) => value / norm));
}

/** A direction in 4 dimensions, `angle` radians from the first axis towards the second. */
const at = (angle: number) => unit([Math.cos(angle), Math.sin(angle), 0.01, 0]);

describe.each(testDatabases)('vectors held in memory (%s)', (database) => {
  let store: Store;
  let reader: Kysely<Database>;
  let statements: string[] = [];
  let cleanup: () => Promise<void>;
  let vectorStoreId: string;
  const files = [newId('file'), newId('file'), newId('file')];

  const log = (event: { query: { sql: string } }) => void statements.push(event.query.sql);
  beforeAll(async () => {
    if (database === 'sqlite') {
      const directory = mkdtempSync(join(tmpdir(), 'concierge-vectors-'));
      store = createSqliteStore(join(directory, 'db.sqlite'));
      await store.migrate();
      const connection = new SqliteDatabase(join(directory, 'db.sqlite'));
      sqliteVec.load(connection);
      reader = new Kysely<Database>({ dialect: new CachedSqliteDialect(connection), log });
      cleanup = async () => {
        await reader.destroy();
        await store.close();
        rmSync(directory, { recursive: true, force: true });
      };
    } else {
      const created = await createTestPostgresStore();
      store = created.store;
      const pool = new pg.Pool(
        postgresClientConfig({ connectionString: postgresTestUrl, schema: created.schema }),
      );
      reader = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
      cleanup = async () => {
        await reader.destroy();
        await store.close();
        await dropSchema(created.schema);
      };
    }
    vectorStoreId = newId('vectorStore');
    await store.projects.insert({
      id: PROJECT,
      object: 'organization.project',
      name: 'v',
      created_at: 1,
      archived_at: null,
      status: 'active',
    });
    await store.vectorStores.insert(PROJECT, vectorStoreRecord(vectorStoreId));
    for (const [index, fileId] of files.entries()) {
      const completed = { ...inProgressFile(fileId, vectorStoreId), status: 'completed' as const };
      await store.vectorStoreFiles.upsert(PROJECT, completed, null);
      // Each file: two chunks of two windows each, the file's own angles.
      await store.chunks.replaceForFile(
        vectorStoreId,
        fileId,
        [0, 1].map((chunk) => ({
          text: `file ${index} chunk ${chunk}`,
          embeddings: [at(index + chunk * 0.1), at(index + chunk * 0.1 + 0.05)],
        })),
        MODEL,
      );
    }
  });
  afterAll(async () => cleanup());

  it('decodes each file once, then searches with two statements and no embedding read', async () => {
    const cache = createVectorCache((stored) =>
      database === 'sqlite'
        ? fromFloat32Blob(stored as Buffer)
        : Float32Array.from(stored as number[]),
    );
    const search = (angle: number, scope: { fileIds?: string[] } = {}) =>
      cache.search(reader, { vectorStoreIds: [vectorStoreId], ...scope }, at(angle), MODEL, 3);

    const first = await search(1.02);
    expect(first!.map((hit) => hit.text)).toEqual([
      'file 1 chunk 0',
      'file 1 chunk 1',
      'file 0 chunk 1',
    ]);
    expect(first![0]!.score).toBeCloseTo(Math.cos(0.02), 3);
    expect(cache.rowsDecoded()).toBe(12);

    statements = [];
    const again = await search(2.1, { fileIds: [files[0]!, files[2]!] });
    expect(again!.map((hit) => hit.text)).toEqual([
      'file 2 chunk 1',
      'file 2 chunk 0',
      'file 0 chunk 1',
    ]);
    expect(statements).toHaveLength(2);
    expect(statements.some((text) => text.includes('chunk_embeddings'))).toBe(false);
    expect(cache.rowsDecoded()).toBe(12);

    // Re-ingesting one file: only that file's rows are read again.
    await store.chunks.replaceForFile(
      vectorStoreId,
      files[1]!,
      [{ text: 'file 1 replaced', embeddings: [at(2.13)] }],
      MODEL,
    );
    expect((await search(2.13))!.map((hit) => hit.text)).toEqual([
      'file 1 replaced',
      'file 2 chunk 1',
      'file 2 chunk 0',
    ]);
    expect(cache.rowsDecoded()).toBe(13);

    // Re-embedding one file (same chunks, new vectors): that file again, alone.
    const [chunk] = await store.chunks.listForFile(vectorStoreId, files[1]!);
    await store.chunks.replaceEmbeddings(vectorStoreId, files[1]!, MODEL, [
      { id: chunk!.id, embeddings: [at(0.5), at(0.6)] },
    ]);
    expect((await search(0.55))!.map((hit) => hit.text)[0]).toBe('file 1 replaced');
    expect(cache.rowsDecoded()).toBe(15);

    // A file removed from the store is no longer found, and nothing is read again.
    await store.vectorStoreFiles.delete(PROJECT, vectorStoreId, files[1]!);
    expect((await search(0.55))!.map((hit) => hit.text)).not.toContain('file 1 replaced');
    expect(cache.rowsDecoded()).toBe(15);
  });

  it('leaves a store larger than its bound, and a search inside a transaction, to SQL', async () => {
    const small = createVectorCache(
      (stored) =>
        database === 'sqlite'
          ? fromFloat32Blob(stored as Buffer)
          : Float32Array.from(stored as number[]),
      64,
    );
    expect(
      await small.search(reader, { vectorStoreIds: [vectorStoreId] }, at(0), MODEL, 3),
    ).toBeUndefined();
    // Found too large once, it is not read again until its vectors change.
    const decodedOnce = small.rowsDecoded();
    expect(
      await small.search(reader, { vectorStoreIds: [vectorStoreId] }, at(0), MODEL, 3),
    ).toBeUndefined();
    expect(small.rowsDecoded()).toBe(decodedOnce);
    const cache = createVectorCache((stored) => fromFloat32Blob(stored as Buffer));
    // A bound of 0 (CONCIERGE_VECTOR_CACHE_MB=0) holds nothing and reads nothing: SQL searches.
    const none = createVectorCache((stored) => fromFloat32Blob(stored as Buffer), 0);
    statements = [];
    expect(
      await none.search(reader, { vectorStoreIds: [vectorStoreId] }, at(0), MODEL, 3),
    ).toBeUndefined();
    expect(statements).toEqual([]);
    expect(none.rowsDecoded()).toBe(0);
    await reader.transaction().execute(async (transaction) => {
      expect(
        await cache.search(transaction, { vectorStoreIds: [vectorStoreId] }, at(0), MODEL, 3),
      ).toBeUndefined();
    });
    expect(cache.rowsDecoded()).toBe(0);
  });
});
