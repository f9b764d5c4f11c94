/**
 * A file deleted while a transaction adds it to a vector store: the vector store file must not
 * outlive its file (it would stay listed, failed, in a store whose file is gone). The adding
 * transaction is held open after its insert, and the deletion is sent meanwhile; on PostgreSQL the
 * deletion is seen waiting on a lock before the addition commits.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadFile } from '../../../test/helpers/files-api.ts';
import { request } from '../../../test/helpers/inject.ts';
import { testDatabases } from '../../../test/helpers/databases.ts';
import { postgresTestUrl } from '../../../test/helpers/postgres.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/test-app.ts';
import { DEFAULT_PROJECT_ID } from '../../domain/project.ts';
import { attachFiles } from './attach-files.ts';

describe.each(testDatabases)('a file deleted as it is added to a vector store (%s)', (database) => {
  let app: TestApp;
  let admin: pg.Client | undefined;
  beforeAll(async () => {
    app = await createTestApp({ database });
    if (database === 'postgres') {
      admin = new pg.Client({ connectionString: postgresTestUrl });
      await admin.connect();
    }
  });
  afterAll(async () => {
    await admin?.end();
    await app.destroy();
  });

  /** Whether a statement deleting a file waits on a lock (PostgreSQL), polled for a few seconds. */
  async function deletionWaits(): Promise<boolean> {
    if (!admin) return true;
    for (let attempt = 0; attempt < 100; attempt++) {
      const waiting = await admin.query(
        `select count(*)::int as count from pg_stat_activity
         where wait_event_type = 'Lock' and query ilike 'delete from "files"%'`,
      );
      if (waiting.rows[0].count > 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  }

  it('leaves no vector store file behind, whichever commits first', async () => {
    const file = await uploadFile(app.server, 'notes.txt', 'Pears ripen in September.');
    const store = (await request(app.server, 'POST', '/v1/vector_stores', {})).body;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedOnce = new Promise<void>((resolve) => (inserted = resolve));
    const adding = app.store.transaction(async (transaction) => {
      await attachFiles(
        transaction,
        DEFAULT_PROJECT_ID,
        store.id,
        [{ fileId: file.id }],
        null,
        'x',
      );
      inserted();
      await held;
    });
    await insertedOnce;
    const deleting = request(app.server, 'DELETE', `/v1/files/${file.id}`);
    const waited = await deletionWaits();
    release();
    await adding;
    expect((await deleting).status).toBe(200);
    const listed = await request(app.server, 'GET', `/v1/vector_stores/${store.id}/files`);
    expect(listed.body.data).toEqual([]);
    const retrieved = await request(app.server, 'GET', `/v1/vector_stores/${store.id}`);
    expect(retrieved.body.file_counts.total).toBe(0);
    // The deletion waited for the addition (PostgreSQL's lock), rather than missing its row.
    expect(waited).toBe(true);
  });
});
