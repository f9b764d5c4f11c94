/**
 * `concierge backup` and `concierge restore`, as real child processes, against a SQLite server that
 * keeps writing (uploads, threads with messages, deletions) through the official SDK while the backup
 * runs. The restored store is the backup, row for row and blob for blob; every row of it is a row of the
 * source (or of a file the load deleted afterwards); every file has its bytes and no blob is orphaned.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import type { BlobStore } from '../../src/blobs/blob-store.ts';
import { createLocalDiskBlobStore } from '../../src/blobs/local-disk/local-disk-blob-store.ts';
import { createS3BlobStore } from '../../src/blobs/s3/s3-blob-store.ts';
import { ConfigSchema } from '../../src/config/config-schema.ts';
import { sqliteTableRows } from '../../src/storage/sqlite/sqlite-backup.ts';
import { S3_TEST_CREDENTIALS, startS3Server, type S3Server } from '../helpers/s3-server.ts';

const BIN = resolve(import.meta.dirname, '../../bin/concierge.mjs');
const run = promisify(execFile);

function concierge(args: string[], environment: Record<string, string>) {
  return run(process.execPath, [BIN, ...args], {
    env: { ...process.env, CONCIERGE_LOG_LEVEL: 'warn', ...environment },
  });
}

async function sha256Of(blobs: BlobStore, key: string): Promise<string | undefined> {
  const stream = await blobs.get(key);
  if (!stream) return undefined;
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function keysOf(blobs: BlobStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of blobs.keys()) keys.push(key);
  return keys.sort();
}

const rowsAsJson = (rows: unknown[]) => rows.map((row) => JSON.stringify(row));

/**
 * Counter rows are updated in place (usage meters, limit counters): a snapshot holds an earlier
 * value of a row the source still has, so only their keys are compared with the source.
 */
const COUNTER_KEYS: Record<string, string[]> = {
  usage_meters: ['meter', 'minute', 'project_id', 'api_key_id'],
  limit_counters: ['scope'],
};

function keysOfCounters(table: string, rows: unknown[]): unknown[] {
  const keys = COUNTER_KEYS[table];
  if (!keys) return rows;
  return rows.map((row) =>
    Object.fromEntries(keys.map((key) => [key, (row as Record<string, unknown>)[key]])),
  );
}

describe('backup and restore of a serving SQLite deployment', () => {
  let root: string;
  let s3: S3Server;
  let app: App;
  let client: OpenAI;
  const sourceDir = () => join(root, 'source');
  const backupDir = () => join(root, 'backup');
  const sourceEnvironment = () => ({
    CONCIERGE_DATA_DIR: sourceDir(),
    CONCIERGE_DATABASE_URL: `sqlite:${join(sourceDir(), 'concierge.db')}`,
  });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'concierge-backup-'));
    mkdirSync(sourceDir());
    s3 = await startS3Server();
    const config = ConfigSchema.parse({
      port: 0,
      logLevel: 'silent',
      dataDir: sourceDir(),
      databaseUrl: sourceEnvironment().CONCIERGE_DATABASE_URL,
      worker: false,
      codeSandbox: 'off',
    });
    app = await createApp(config, { logger: false });
    client = new OpenAI({ baseURL: await app.listen(), apiKey: 'x', maxRetries: 0 });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await s3?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('restores a backup taken under write load to an identical, consistent store', async () => {
    const uploaded: string[] = [];
    const deleted = new Set<string>();
    const upload = async () => {
      const file = await client.files.create({
        file: await toFile(randomBytes(2048 + uploaded.length), `data-${uploaded.length}.bin`),
        purpose: 'assistants',
      });
      uploaded.push(file.id);
    };
    for (let index = 0; index < 6; index++) await upload();
    // A container file's bytes are a blob too.
    const container = await client.containers.create({ name: 'backed up' });
    const containerFile = await client.containers.files.create(container.id, {
      file: await toFile(Buffer.from('a container file'), 'notes.txt'),
    });

    const loading = { on: true };
    const load = async (writer: number) => {
      for (let round = 0; loading.on; round++) {
        await upload();
        await client.beta.threads.create({
          messages: [{ role: 'user', content: `writer ${writer}, round ${round}` }],
        });
        const victim = uploaded[(round * 7 + writer) % uploaded.length]!;
        if (!deleted.has(victim)) {
          deleted.add(victim);
          await client.files.delete(victim);
        }
      }
    };
    const writers = [0, 1, 2].map(load);
    const backedUp = await concierge(['backup', backupDir()], sourceEnvironment());
    loading.on = false;
    await Promise.all(writers);
    expect(backedUp.stdout).toMatch(/Backed up the SQLite database and \d+ file\(s\)/);

    const restoredDir = join(root, 'restored');
    const restoredEnvironment = {
      CONCIERGE_DATA_DIR: restoredDir,
      CONCIERGE_DATABASE_URL: `sqlite:${join(restoredDir, 'concierge.db')}`,
    };
    await concierge(['restore', backupDir()], restoredEnvironment);

    // The restored database is the backup's, table for table.
    const restored = sqliteTableRows(join(restoredDir, 'concierge.db'));
    expect(restored).toEqual(sqliteTableRows(join(backupDir(), 'concierge.db')));
    // Every restored row is a row of the source, or belongs to a file the load deleted afterwards.
    const source = sqliteTableRows(join(sourceDir(), 'concierge.db'));
    for (const [table, rows] of restored) {
      const sourceRows = new Set(rowsAsJson(keysOfCounters(table, source.get(table) ?? [])));
      const foreign = rowsAsJson(keysOfCounters(table, rows)).filter(
        (row) => !sourceRows.has(row) && ![...deleted].some((id) => row.includes(id)),
      );
      expect({ table, foreign }).toEqual({ table, foreign: [] });
    }
    // A snapshot: the writes that came after it are not in it.
    expect(restored.get('threads')!.length).toBeLessThan(source.get('threads')!.length);

    // Every file has its bytes, equal to the source's while the source still has them; nothing else.
    const fileIds = (restored.get('files') as { id: string }[]).map((file) => file.id).sort();
    expect(restored.get('container_files')).toHaveLength(1);
    const restoredBlobs = createLocalDiskBlobStore(restoredDir);
    const sourceBlobs = createLocalDiskBlobStore(sourceDir());
    const blobKeys = [...fileIds, containerFile.id].sort();
    expect(await keysOf(restoredBlobs)).toEqual(blobKeys);
    for (const id of blobKeys) {
      const copy = await sha256Of(restoredBlobs, id);
      // A file the load deleted after the snapshot has no source bytes left to compare.
      const original = (await sha256Of(sourceBlobs, id)) ?? copy;
      expect(copy).toBeDefined();
      expect(copy).toBe(original);
    }

    // The restored server serves the files through the SDK.
    const restoredApp = await createApp(
      ConfigSchema.parse({
        port: 0,
        logLevel: 'silent',
        dataDir: restoredDir,
        databaseUrl: restoredEnvironment.CONCIERGE_DATABASE_URL,
        worker: false,
        codeSandbox: 'off',
      }),
      { logger: false },
    );
    try {
      const restoredClient = new OpenAI({
        baseURL: await restoredApp.listen(),
        apiKey: 'x',
        maxRetries: 0,
      });
      const listed = [];
      for await (const file of restoredClient.files.list()) listed.push(file.id);
      expect(listed.sort()).toEqual(fileIds);
      const bytes = Buffer.from(
        await (await restoredClient.files.content(fileIds[0]!)).arrayBuffer(),
      );
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(
        await sha256Of(restoredBlobs, fileIds[0]!),
      );
      const restoredContainerFile = await restoredClient.containers.files.content.retrieve(
        containerFile.id,
        { container_id: container.id },
      );
      expect(await restoredContainerFile.text()).toBe('a container file');
    } finally {
      await restoredApp.close();
    }

    // The same backup restores into an S3 bucket.
    const s3Dir = join(root, 'restored-s3');
    await concierge(['restore', backupDir()], {
      ...s3.environment('restored'),
      CONCIERGE_DATA_DIR: s3Dir,
      CONCIERGE_DATABASE_URL: `sqlite:${join(s3Dir, 'concierge.db')}`,
    });
    const bucket = createS3BlobStore({
      bucket: s3.bucket,
      prefix: 'restored',
      client: {
        endpoint: s3.endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: S3_TEST_CREDENTIALS,
      },
    });
    expect(await keysOf(bucket)).toEqual(blobKeys);
    expect(await sha256Of(bucket, fileIds[0]!)).toBe(await sha256Of(restoredBlobs, fileIds[0]!));
    bucket.close();
  }, 120_000);

  it('refuses to restore over an existing database, and names it', async () => {
    const refused = await concierge(['restore', backupDir()], sourceEnvironment()).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toContain('exists; restore into an empty data directory');
  }, 60_000);
});
