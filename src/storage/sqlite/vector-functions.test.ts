import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterAll, describe, expect, it } from 'vitest';
import { inProgressFile, vectorStoreRecord } from '../../../test/helpers/vector-store-fixtures.ts';
import { toFloat32Blob } from '../kysely/embedding-cache-repository.ts';
import type { Store } from '../store.ts';
import { createSqliteStore } from './sqlite-store.ts';
import { installVectorFunctions, registerCosineDistance } from './vector-functions.ts';

/** A deterministic pseudo-random vector (xorshift), not normalized, like a model's raw output. */
function vector(seed: number, dimensions: number): Float32Array {
  let state = seed * 2654435761 || 1;
  const values = new Float32Array(dimensions);
  for (let index = 0; index < dimensions; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    values[index] = ((state >>> 0) / 2 ** 32 - 0.5) * (1 + (index % 7));
  }
  return values;
}

function distances(connection: SqliteDatabase.Database, pairs: [Float32Array, Float32Array][]) {
  const statement = connection.prepare('select vec_distance_cosine(?, ?) as distance').pluck();
  return pairs.map(([a, b]) => statement.get(toFloat32Blob(a), toFloat32Blob(b)) as number | null);
}

describe('vec_distance_cosine without sqlite-vec', () => {
  const native = new SqliteDatabase(':memory:');
  sqliteVec.load(native);
  const javascript = new SqliteDatabase(':memory:');
  registerCosineDistance(javascript);
  afterAll(() => {
    native.close();
    javascript.close();
  });

  it('gives exactly sqlite-vec’s distances, to the last bit', () => {
    const pairs: [Float32Array, Float32Array][] = [];
    for (const dimensions of [1, 3, 16, 17, 384, 1536])
      for (let seed = 1; seed <= 40; seed++)
        pairs.push([vector(seed, dimensions), vector(seed + 1000, dimensions)]);
    const same = vector(7, 64);
    pairs.push([same, same], [same, same.map((value) => -value)]);
    pairs.push([new Float32Array(8), vector(3, 8)]);
    const expected = distances(native, pairs);
    expect(expected.at(-1)).toBeNull(); // a zero vector: NaN, stored as NULL
    expect(distances(javascript, pairs)).toEqual(expected);
  });

  it('rejects what sqlite-vec rejects, with its messages', () => {
    for (const connection of [native, javascript]) {
      const statement = connection.prepare('select vec_distance_cosine(?, ?)');
      expect(() => statement.get(toFloat32Blob(vector(1, 4)), toFloat32Blob(vector(2, 5)))).toThrow(
        /^Vector dimension mis.*4 dimensions.*5 dimensions/,
      );
      expect(() => statement.get(Buffer.alloc(6), Buffer.alloc(6))).toThrow(
        'Error reading 1st vector: invalid float32 vector BLOB length. Must be divisible by 4, found 6',
      );
      expect(() => statement.get(Buffer.alloc(0), Buffer.alloc(0))).toThrow(
        'Error reading 1st vector: zero-length vectors are not supported.',
      );
    }
  });

  it('falls back when the native library cannot be loaded, and says so', () => {
    const connection = new SqliteDatabase(':memory:');
    const installed = installVectorFunctions(connection, () => {
      throw new Error("Cannot find package 'sqlite-vec-linux-x64'");
    });
    expect(installed).toEqual({
      backend: 'plain-sql',
      reason: "Cannot find package 'sqlite-vec-linux-x64'",
    });
    expect(distances(connection, [[vector(1, 8), vector(2, 8)]])).toEqual(
      distances(native, [[vector(1, 8), vector(2, 8)]]),
    );
    connection.close();
    const loaded = new SqliteDatabase(':memory:');
    expect(installVectorFunctions(loaded)).toEqual({ backend: 'sqlite-vec' });
    loaded.close();
  });
});

/** Inside a transaction a vector search runs in SQL, through vec_distance_cosine. */
function searchInSql(store: Store, seed: number) {
  return store.transaction((transaction) =>
    transaction.chunks.vectorSearch({ vectorStoreIds: ['vs_1'] }, vector(seed, 96), 'm', 20),
  );
}

describe('vector search on a store without sqlite-vec', () => {
  const directory = mkdtempSync(join(tmpdir(), 'concierge-vector-functions-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const project = 'proj_vector_functions';

  async function storeWith(name: string, options: Parameters<typeof createSqliteStore>[1]) {
    const store = createSqliteStore(join(directory, `${name}.db`), options);
    await store.migrate();
    await store.projects.insert({
      id: project,
      object: 'organization.project',
      name: name,
      created_at: 1,
      archived_at: null,
      status: 'active',
    });
    await store.vectorStores.insert(project, vectorStoreRecord('vs_1'));
    for (let file = 0; file < 4; file++) {
      const completed = { ...inProgressFile(`file-${file}`, 'vs_1'), status: 'completed' as const };
      await store.vectorStoreFiles.upsert(project, completed, null);
      await store.chunks.replaceForFile(
        'vs_1',
        `file-${file}`,
        Array.from({ length: 25 }, (_, chunk) => ({
          text: `file ${file} chunk ${chunk}`,
          embeddings: [vector(file * 100 + chunk + 1, 96), vector(file * 100 + chunk + 51, 96)],
        })),
        'm',
      );
    }
    return store;
  }

  it('ranks and scores exactly as sqlite-vec does, and reports its backend', async () => {
    const warnings: string[] = [];
    const native = await storeWith('native', {});
    const fallback = await storeWith('fallback', {
      warn: (message) => warnings.push(message),
      loadVectorExtension: () => {
        throw new Error("Cannot find package 'sqlite-vec-linux-x64'\nRequire stack: …");
      },
    });
    expect(await native.chunks.vectorBackend()).toBe('sqlite-vec');
    expect(await fallback.chunks.vectorBackend()).toBe('plain-sql');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("sqlite-vec's native library could not be loaded");
    expect(warnings[0]).toContain("Cannot find package 'sqlite-vec-linux-x64')");
    for (const seed of [5, 77, 123, 4242]) {
      const expected = await searchInSql(native, seed);
      expect(expected).toHaveLength(20);
      expect(await searchInSql(fallback, seed)).toEqual(expected);
    }
    await native.close();
    await fallback.close();
  });
});
