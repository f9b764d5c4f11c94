/**
 * `concierge backup <dir>` and `concierge restore <dir>`: the database (SQLite) and the file bytes
 * (local disk or S3), with a manifest that names and hashes every part.
 *
 * A backup is taken while the server serves. The SQLite snapshot comes first; then the blobs of the
 * files and container files in that snapshot are copied. A file deleted meanwhile has lost its blob (the row goes first,
 * then the blob), so it is deleted from the copy too: the backup is the database at the snapshot, plus
 * the file deletions that happened while the blobs were copied, and every file row in it has its bytes.
 *
 * On PostgreSQL, `pg_dump` takes the database (docs/operations.md); run it first, then `backup`, which
 * copies every blob: a blob whose row came later is an orphan the janitor removes after a restore.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import SqliteDatabase from 'better-sqlite3';
import { VERSION } from '../app.ts';
import type { BlobStore } from '../blobs/blob-store.ts';
import type { Config } from '../config/config-schema.ts';
import { openStoreAt, parseDatabaseUrl } from '../storage/open-store.ts';
import { backupSqliteDatabase } from '../storage/sqlite/sqlite-backup.ts';
import { openBlobStore } from './blob-storage.ts';

export class BackupError extends Error {
  override name = 'BackupError';
}

const MANIFEST = 'manifest.json';
const DATABASE_FILE = 'concierge.db';

export interface BackupManifest {
  format: 'concierge-backup';
  version: 1;
  concierge: string;
  created_at: string;
  /** The SQLite copy, or `null` when the database is PostgreSQL (taken with pg_dump). */
  database: { dialect: 'sqlite'; file: string; bytes: number; sha256: string } | null;
  blobs: { key: string; bytes: number; sha256: string }[];
  /** Files deleted while the blobs were copied, and so left out of the copy. */
  deleted_during_backup: string[];
}

/** Hashes what flows through it. */
function hashing(): { stream: Transform; digest: () => string } {
  const hash = createHash('sha256');
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function emptyDirectory(path: string, what: string): Promise<void> {
  const entries = await readdir(path).catch(() => []);
  if (entries.length > 0) throw new BackupError(`${what} ${path} is not empty.`);
}

/** A row whose id is a blob key: a file, or a container file (`containerId`). */
interface BlobOwner {
  id: string;
  projectId: string;
  containerId?: string;
}

/** The rows that own blobs in a SQLite database file: files and container files. */
function blobOwnersIn(path: string): BlobOwner[] {
  const connection = new SqliteDatabase(path, { readonly: true, fileMustExist: true });
  try {
    return connection
      .prepare(
        `select id, project_id as projectId, null as containerId from files
         union all select id, project_id, container_id from container_files`,
      )
      .all()
      .map((row) => {
        const { id, projectId, containerId } = row as BlobOwner & { containerId: string | null };
        return containerId === null ? { id, projectId } : { id, projectId, containerId };
      });
  } finally {
    connection.close();
  }
}

/** Copies one blob into `directory`, hashing it; undefined when the blob is gone. */
async function copyBlobOut(blobs: BlobStore, key: string, directory: string) {
  const source = await blobs.get(key);
  if (!source) return undefined;
  const { stream, digest } = hashing();
  await pipeline(source, stream, createWriteStream(join(directory, key), { flags: 'wx' }));
  return { key, bytes: (await stat(join(directory, key))).size, sha256: digest() };
}

/** Takes a backup of the store and blobs `config` names into the new or empty `directory`. */
export async function createBackup(config: Config, directory: string): Promise<BackupManifest> {
  await emptyDirectory(directory, 'The backup directory');
  const blobDirectory = join(directory, 'blobs');
  await mkdir(blobDirectory, { recursive: true });
  const target = parseDatabaseUrl(config.databaseUrl);
  const blobs = await openBlobStore(config);
  try {
    const manifest: BackupManifest = {
      format: 'concierge-backup',
      version: 1,
      concierge: VERSION,
      created_at: new Date().toISOString(),
      database: null,
      blobs: [],
      deleted_during_backup: [],
    };
    if (target.dialect === 'postgres') {
      for await (const key of blobs.keys()) {
        const copied = await copyBlobOut(blobs, key, blobDirectory);
        if (copied) manifest.blobs.push(copied);
      }
    } else {
      if (target.path === ':memory:') throw new BackupError('An in-memory database has no backup.');
      const databaseCopy = join(directory, DATABASE_FILE);
      await backupSqliteDatabase(target.path, databaseCopy);
      const gone: BlobOwner[] = [];
      for (const owner of blobOwnersIn(databaseCopy)) {
        const copied = await copyBlobOut(blobs, owner.id, blobDirectory);
        if (copied) manifest.blobs.push(copied);
        else gone.push(owner);
      }
      if (gone.length > 0) await deleteFiles(databaseCopy, gone);
      manifest.deleted_during_backup = gone.map((file) => file.id);
      manifest.database = {
        dialect: 'sqlite',
        file: DATABASE_FILE,
        bytes: (await stat(databaseCopy)).size,
        sha256: await sha256OfFile(databaseCopy),
      };
    }
    await writeFile(join(directory, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    blobs.close();
  }
}

/**
 * Deletes files and container files from the copy the way the API does (a file detached from vector
 * stores first).
 */
async function deleteFiles(path: string, owners: BlobOwner[]) {
  const store = await openStoreAt({ dialect: 'sqlite', path });
  try {
    for (const { id, projectId, containerId } of owners) {
      if (containerId !== undefined) {
        await store.containerFiles.delete(projectId, containerId, id);
        continue;
      }
      await store.transaction(async (transaction) => {
        await transaction.vectorStoreFiles.deleteEverywhere(projectId, id);
        await transaction.files.delete(projectId, id);
      });
    }
  } finally {
    await store.close();
  }
}

async function readManifest(directory: string): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(join(directory, MANIFEST), 'utf8')) as BackupManifest;
  } catch (error) {
    throw new BackupError(`${join(directory, MANIFEST)} is missing or not JSON.`, { cause: error });
  }
  if (manifest.format !== 'concierge-backup' || manifest.version !== 1)
    throw new BackupError(`${directory} is not a Concierge backup (version 1).`);
  return manifest;
}

/** Puts one backed-up blob into the store, refusing it when its bytes differ from the manifest. */
async function restoreBlob(blobs: BlobStore, directory: string, entry: BackupManifest['blobs'][0]) {
  const { stream, digest } = hashing();
  const reading = pipeline(createReadStream(join(directory, 'blobs', entry.key)), stream);
  await Promise.all([blobs.put(entry.key, stream), reading]);
  if (digest() !== entry.sha256) {
    await blobs.delete(entry.key);
    throw new BackupError(`Blob ${entry.key} of the backup is damaged (its sha256 differs).`);
  }
}

/**
 * Restores a backup into the empty store and blob store `config` names. On PostgreSQL only the blobs
 * are restored (the database comes back with pg_restore).
 */
export async function restoreBackup(config: Config, directory: string): Promise<BackupManifest> {
  const manifest = await readManifest(directory);
  const target = parseDatabaseUrl(config.databaseUrl);
  if (manifest.database && target.dialect !== 'sqlite')
    throw new BackupError(
      'This backup holds a SQLite database; point CONCIERGE_DATABASE_URL at sqlite:.',
    );
  if (!manifest.database && target.dialect === 'sqlite')
    throw new BackupError(
      'This backup holds no database (a PostgreSQL deployment: use pg_restore).',
    );
  const blobs = await openBlobStore(config);
  try {
    const database = manifest.database && join(directory, manifest.database.file);
    if (database && target.dialect === 'sqlite') {
      if ((await sha256OfFile(database)) !== manifest.database!.sha256)
        throw new BackupError(`${database} is damaged (its sha256 differs from the manifest).`);
      const exists = await stat(target.path).then(
        () => true,
        () => false,
      );
      if (exists)
        throw new BackupError(
          `The database ${target.path} exists; restore into an empty data directory.`,
        );
    }
    // Blobs of this backup may be there from a restore that stopped midway; anything else is not ours.
    const ours = new Set(manifest.blobs.map((entry) => entry.key));
    for await (const key of blobs.keys()) {
      if (!ours.has(key))
        throw new BackupError(
          `The blob store is not empty (it holds ${key}); restore into an empty one.`,
        );
    }
    // The blobs first, the database last: a restore that stops midway leaves no database behind.
    for (const entry of manifest.blobs) await restoreBlob(blobs, directory, entry);
    if (database && target.dialect === 'sqlite') {
      await mkdir(dirname(target.path), { recursive: true });
      await copyFile(database, `${target.path}.restoring`);
      await rename(`${target.path}.restoring`, target.path);
    }
    return manifest;
  } finally {
    blobs.close();
  }
}
