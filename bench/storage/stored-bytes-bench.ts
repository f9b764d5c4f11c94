/**
 * `npm run bench -- stored-bytes [files-per-round] [rounds]`: what the stored-bytes triggers
 * (migration 0017) cost the ingestion of a file, on SQLite and on PostgreSQL. Three stores migrated
 * alike (one with the triggers dropped, and a second with them as a control) ingest the same files
 * in interleaved rounds through the store's own write path: the file's row, its vector-store row,
 * the claim, then the worker's transaction (completion with its `usage_bytes`, and the chunks with
 * their embeddings, whose `vectors_version` triggers of 0019 update the vector-store row). Prints the
 * median time per file of each and their ratios, with the machine's load.
 *
 * It also shows whether 0019's `UPDATE … SET vectors_version` runs the stored-bytes trigger of
 * `vector_store_files`: on PostgreSQL by the function's call count in the transaction
 * (`pg_stat_get_xact_function_calls`, `track_functions = 'pl'`), on SQLite by the trigger programs
 * compiled into the statement (`EXPLAIN`'s `Program` opcodes).
 * Needs PostgreSQL at CONCIERGE_BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test);
 * without it, SQLite only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { newId } from '../../src/domain/ids.ts';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.ts';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';
import type { ChunkInput, Store } from '../../src/storage/store.ts';
import { usageBytesOf } from '../../src/tools/file-search/ingest-file.ts';
import {
  inProgressFile,
  meterCalls,
  vectorStoreRecord,
} from '../../test/helpers/vector-store-fixtures.ts';
import { machineDescription } from '../lib/machine.ts';
import { median } from '../lib/stats.ts';

const FILES = Number(process.argv[2] ?? 40);
const ROUNDS = Number(process.argv[3] ?? 5);
const CHUNKS_PER_FILE = 8;
const DIMENSIONS = 512;
const MODEL = 'bench-embedder';
const PROJECT = 'proj_bench';
const postgresUrl =
  process.env['CONCIERGE_BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const SQLITE_TRIGGERS = [
  'files_meter_insert',
  'files_meter_delete',
  'container_files_meter_insert',
  'container_files_meter_delete',
  'vector_store_files_meter_insert',
  'vector_store_files_meter_delete',
  'vector_store_files_meter_update',
];
const POSTGRES_TRIGGERS = ['files', 'container_files', 'vector_store_files'];

function chunks(seed: number): ChunkInput[] {
  return Array.from({ length: CHUNKS_PER_FILE }, (_, index) => {
    const vector = new Float32Array(DIMENSIONS);
    vector[(seed + index) % DIMENSIONS] = 1;
    return {
      text: `File ${seed}, chunk ${index}: ${'refunds are issued within thirty days '.repeat(20)}`,
      embeddings: [vector],
    };
  });
}

/** A vector store for the rounds of one store. */
async function vectorStore(store: Store): Promise<string> {
  const id = newId('vectorStore');
  await store.vectorStores.insert(PROJECT, vectorStoreRecord(id, 1_800_000_000));
  return id;
}

/** One file through the store's ingestion writes, as the API and the ingestion worker make them. */
async function ingest(store: Store, vectorStoreId: string, seed: number): Promise<void> {
  const fileId = newId('file');
  await store.files.insert(
    PROJECT,
    {
      id: fileId,
      object: 'file',
      bytes: 4000,
      created_at: 1_800_000_000,
      filename: `${seed}.txt`,
      purpose: 'assistants',
      status: 'processed',
      expires_at: null,
      status_details: null,
    },
    'text/plain',
    'key_bench',
  );
  await store.vectorStoreFiles.upsert(
    PROJECT,
    inProgressFile(fileId, vectorStoreId, 1_800_000_000),
    null,
  );
  const job = await store.ingestionQueue.claimNext('bench', Date.now(), Date.now() + 60_000);
  if (job?.fileId !== fileId) throw new Error(`claimed ${job?.fileId}, not ${fileId}`);
  const written = chunks(seed);
  await store.transaction(async (transaction) => {
    await transaction.ingestionQueue.complete(job, 'bench', usageBytesOf(written), MODEL);
    await transaction.chunks.replaceForFile(vectorStoreId, fileId, written, MODEL);
  });
}

interface Subject {
  name: string;
  store: Store;
  vectorStoreId: string;
}

/**
 * Interleaved rounds of the stores (each round in a rotated order); the median milliseconds per file
 * of each. A second store with the triggers is the control: its ratio to the first is the noise.
 */
async function measure(subjects: Subject[]): Promise<number[]> {
  const perFile = subjects.map(() => [] as number[]);
  let seed = 0;
  // A few files of each unmeasured first: statement caches, the pool, the page cache.
  for (const subject of subjects)
    for (let index = 0; index < 5; index++)
      await ingest(subject.store, subject.vectorStoreId, seed++);
  for (let round = 0; round < ROUNDS; round++)
    for (let turn = 0; turn < subjects.length; turn++) {
      const which = (round + turn) % subjects.length;
      const subject = subjects[which]!;
      const started = performance.now();
      for (let index = 0; index < FILES; index++)
        await ingest(subject.store, subject.vectorStoreId, seed++);
      perFile[which]!.push((performance.now() - started) / FILES);
    }
  return perFile.map(median);
}

function report(dialect: string, [on, off, control]: number[], extra: string): void {
  console.log(
    `${dialect}: ${on!.toFixed(2)} ms per file with the triggers, ${off!.toFixed(2)} ms without: ×${(on! / off!).toFixed(3)}; control (a second store with them): ${control!.toFixed(2)} ms, ×${(control! / on!).toFixed(3)} (medians of ${ROUNDS} rounds of ${FILES} files, ${CHUNKS_PER_FILE} chunks of ${DIMENSIONS} dimensions each)`,
  );
  console.log(`  ${extra}`);
}

async function sqlite(directory: string): Promise<void> {
  const open = async (name: string, dropTriggers: boolean) => {
    const path = join(directory, `${name}.db`);
    const migrated = createSqliteStore(path);
    await migrated.migrate();
    await migrated.close();
    if (dropTriggers) {
      const connection = new SqliteDatabase(path);
      for (const trigger of SQLITE_TRIGGERS) connection.exec(`drop trigger ${trigger}`);
      connection.close();
    }
    const store = createSqliteStore(path);
    return { name, store, vectorStoreId: await vectorStore(store), path };
  };
  const on = await open('on', false);
  const off = await open('off', true);
  const control = await open('control', false);
  const figures = await measure([on, off, control]);
  for (const subject of [on, off, control]) await subject.store.close();
  // The trigger programs SQLite compiles into each kind of update of a vector-store row.
  const connection = new SqliteDatabase(on.path);
  const programs = (statement: string) =>
    connection
      .prepare(`explain ${statement}`)
      .all()
      .filter((row) => (row as { opcode: string }).opcode === 'Program').length;
  const versions = programs(`update vector_store_files set vectors_version = 1 where id = 'x'`);
  const usage = programs(`update vector_store_files set usage_bytes = 1 where id = 'x'`);
  connection.close();
  report(
    'SQLite',
    figures,
    `trigger programs in 0019's "update … set vectors_version": ${versions}; in an "update … set usage_bytes": ${usage}`,
  );
}

async function postgres(): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresUrl });
  try {
    await admin.connect();
  } catch {
    console.log(`PostgreSQL: not reachable at ${postgresUrl}, skipped`);
    return;
  }
  const schemas = ['on', 'off', 'control'].map((name) => `bench_bytes_${name}_${process.pid}`);
  const open = async (name: string, schema: string, dropTriggers: boolean) => {
    const store = await createPostgresStore({ connectionString: postgresUrl, schema });
    await store.migrate();
    if (dropTriggers)
      for (const table of POSTGRES_TRIGGERS)
        await admin.query(`drop trigger ${table}_meter on "${schema}".${table}`);
    return { name, store, vectorStoreId: await vectorStore(store) };
  };
  try {
    const on = await open('on', schemas[0]!, false);
    const off = await open('off', schemas[1]!, true);
    const control = await open('control', schemas[2]!, false);
    const figures = await measure([on, off, control]);
    for (const subject of [on, off, control]) await subject.store.close();
    // Calls of the meter's function by a real 0019 path: deleting a file's embeddings updates its
    // vectors_version; then by an update that names usage_bytes without changing it.
    await admin.query(`set search_path = "${schemas[0]}"`);
    await admin.query('begin');
    await admin.query(`set local track_functions = 'pl'`);
    const calls = () => meterCalls(admin);
    const file = (
      await admin.query<{ file_id: string }>('select file_id from chunk_embeddings limit 1')
    ).rows[0]!.file_id;
    const before = (
      await admin.query<{ v: string }>(
        'select vectors_version as v from vector_store_files where id = $1',
        [file],
      )
    ).rows[0]!.v;
    await admin.query('delete from chunk_embeddings where file_id = $1', [file]);
    const after = (
      await admin.query<{ v: string }>(
        'select vectors_version as v from vector_store_files where id = $1',
        [file],
      )
    ).rows[0]!.v;
    const byVersions = await calls();
    await admin.query('update vector_store_files set usage_bytes = usage_bytes where id = $1', [
      file,
    ]);
    const byUsage = (await calls()) - byVersions;
    await admin.query('rollback');
    report(
      'PostgreSQL',
      figures,
      `meter_stored_bytes() calls: ${byVersions} when deleting a file's embeddings moved its vectors_version ${before} → ${after}; ${byUsage} for an "update … set usage_bytes = usage_bytes"`,
    );
  } finally {
    await admin.query('reset search_path');
    for (const schema of schemas) await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
  }
}

console.log(machineDescription());
const directory = mkdtempSync(join(tmpdir(), 'concierge-stored-bytes-bench-'));
try {
  await sqlite(directory);
  await postgres();
} finally {
  rmSync(directory, { recursive: true, force: true });
}
console.log(machineDescription());
