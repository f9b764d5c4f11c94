/**
 * The janitor on SQLite and PostgreSQL: objects made through the official SDK expire or age out, the
 * janitor (run at a chosen `now`) deletes them with their bytes, and the SDK then answers 404. Blobs
 * no file refers to go at the second sweep; activity racing a deletion keeps its object.
 */
import { Readable } from 'node:stream';
import OpenAI, { NotFoundError, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../test/helpers/databases.ts';
import { startScriptedModel, type ScriptedModel } from '../../test/helpers/scripted-model.ts';
import { createListeningTestApp, type TestApp } from '../../test/helpers/test-app.ts';
import { createFilesService } from '../api/files/files.service.ts';
import { createLocalDiskBlobStore } from '../blobs/local-disk/local-disk-blob-store.ts';
import { ConfigSchema } from '../config/config-schema.ts';
import { nowSeconds } from '../domain/clock.ts';
import { newMessage } from '../domain/new-message.ts';
import { DEFAULT_PROJECT_ID } from '../domain/project.ts';
import { createJanitor, retentionRules, type Janitor } from './janitor.ts';

const DAY = 86_400;

async function gone(request: Promise<unknown>): Promise<boolean> {
  return request.then(
    () => false,
    (error: unknown) => {
      if (error instanceof NotFoundError) return true;
      throw error;
    },
  );
}

describe.each(testDatabases)('janitor on %s', (database) => {
  let app: TestApp;
  let client: OpenAI;
  let janitor: Janitor;
  let upstream: ScriptedModel;
  const blobs = () => createLocalDiskBlobStore(app.config.dataDir);

  beforeAll(async () => {
    upstream = await startScriptedModel();
    upstream.respondWith(() => ({ text: 'Answered.' }));
    const started = await createListeningTestApp({
      database,
      config: { codeSandbox: 'off', providerBaseUrl: upstream.url },
    });
    app = started.app as TestApp;
    client = new OpenAI({ baseURL: started.baseURL, apiKey: 'x', maxRetries: 0 });
    const config = ConfigSchema.parse({
      threadRetentionDays: 30,
      responseRetentionDays: 10,
      vectorStoreExpiredRetentionDays: 7,
    });
    const files = createFilesService({ store: app.store, blobs: blobs(), fileSizeLimit: 1 << 20 });
    janitor = createJanitor({
      store: app.store,
      blobs: blobs(),
      rules: retentionRules(config, app.store, (limit, now) => files.sweepExpired(limit, now)),
      graceSeconds: 3600,
    });
  }, 60_000);

  afterAll(async () => {
    await app?.destroy();
    await upstream?.stop();
  });

  it('deletes an expired file with its bytes, and keeps the rest', async () => {
    const expiring = await client.files.create({
      file: await toFile(Buffer.from('short-lived'), 'short.txt'),
      purpose: 'assistants',
      expires_after: { anchor: 'created_at', seconds: 3600 },
    });
    const lasting = await client.files.create({
      file: await toFile(Buffer.from('long-lived'), 'long.txt'),
      purpose: 'assistants',
    });
    const deleted = await janitor.runRules(nowSeconds() + 2 * 3600);
    expect(deleted['expired files']).toBeGreaterThanOrEqual(1);
    expect(await gone(client.files.retrieve(expiring.id))).toBe(true);
    expect(await blobs().size(expiring.id)).toBeUndefined();
    expect(await (await client.files.content(lasting.id)).text()).toBe('long-lived');
  });

  it('deletes a vector store once it has been expired for the grace period, not before', async () => {
    const store = await client.vectorStores.create({
      name: 'expiring',
      expires_after: { anchor: 'last_active_at', days: 1 },
    });
    const lasting = await client.vectorStores.create({ name: 'lasting' });
    const now = nowSeconds();
    const early = await janitor.runRules(now + 2 * DAY); // expired a day ago: within the grace period
    expect(early['expired vector stores']).toBe(0);
    expect((await client.vectorStores.retrieve(store.id)).id).toBe(store.id);
    const deleted = await janitor.runRules(now + 9 * DAY);
    expect(deleted['expired vector stores']).toBe(1);
    expect(await gone(client.vectorStores.retrieve(store.id))).toBe(true);
    expect((await client.vectorStores.retrieve(lasting.id)).id).toBe(lasting.id);
  });

  it('deletes threads inactive past the retention period; a recent message keeps one', async () => {
    const idle = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'old news' }],
    });
    const active = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'old too' }],
    });
    const now = nowSeconds();
    // A message 25 days from now: 31 days on, this thread was active 6 days ago.
    await app.store.messages.insert(
      DEFAULT_PROJECT_ID,
      newMessage(active.id, { role: 'user', content: 'still here' }, now + 25 * DAY),
    );
    const deleted = await janitor.runRules(now + 31 * DAY);
    expect(deleted['inactive threads']).toBeGreaterThanOrEqual(1);
    expect(await gone(client.beta.threads.retrieve(idle.id))).toBe(true);
    expect((await client.beta.threads.retrieve(active.id)).id).toBe(active.id);
  });

  it('deletes responses past their retention with their run and thread, and keeps newer ones', async () => {
    const first = await client.responses.create({ model: 'gpt-4o', input: 'Hello' });
    const now = nowSeconds();
    // The thread rule leaves a response's thread to the responses rule, whatever its age.
    expect((await janitor.runRules(now + 31 * DAY))['old responses']).toBeGreaterThanOrEqual(1);
    expect(await gone(client.responses.retrieve(first.id))).toBe(true);

    const older = await client.responses.create({ model: 'gpt-4o', input: 'Old' });
    const recent = await client.responses.create({ model: 'gpt-4o', input: 'New' });
    // Stored as made 11 days ago: past the 10 days.
    const record = (await app.store.responses.find(DEFAULT_PROJECT_ID, older.id))!;
    await app.store.responses.delete(DEFAULT_PROJECT_ID, older.id);
    await app.store.responses.insert({
      ...record,
      response: { ...record.response, created_at: now - 11 * DAY },
    });
    const deleted = await janitor.runRules(now);
    expect(deleted['old responses']).toBe(1);
    expect(await gone(client.responses.retrieve(older.id))).toBe(true);
    expect(await gone(client.responses.inputItems.list(older.id))).toBe(true);
    expect((await client.responses.retrieve(recent.id)).output_text).toBe('Answered.');
    expect(await app.store.threads.find(DEFAULT_PROJECT_ID, record.threadId)).toBeUndefined();
  });

  it('keeps a thread whose new message races its deletion: never a message accepted into a deleted thread', async () => {
    const now = nowSeconds();
    const threads = await Promise.all(
      Array.from({ length: 12 }, () => client.beta.threads.create()),
    );
    const outcomes = await Promise.all([
      janitor.runRules(now + 31 * DAY),
      ...threads.map(
        (thread) =>
          // A synchronous answer (SQLite's direct statement) or a promise: a throw is a refusal too.
          (async () =>
            app.store.messages.insertIntoThread(
              DEFAULT_PROJECT_ID,
              newMessage(thread.id, { role: 'user', content: 'just in time' }, now + 31 * DAY),
            ))().catch(() => false), // the thread was deleted under the insert: refused, not accepted
      ),
    ]);
    const accepted = outcomes.slice(1) as boolean[];
    const broken: string[] = [];
    for (const [index, thread] of threads.entries()) {
      const exists = !(await gone(client.beta.threads.retrieve(thread.id)));
      // An accepted message means the thread survived with it; a deleted thread took no message.
      const messages = exists ? (await client.beta.threads.messages.list(thread.id)).data : [];
      if (accepted[index] && messages.length !== 1) broken.push(thread.id);
    }
    expect(broken).toEqual([]);
  });

  it('sweeps a blob no file refers to at the second sweep, an upload in flight never', async () => {
    const file = await client.files.create({
      file: await toFile(Buffer.from('kept'), 'kept.txt'),
      purpose: 'assistants',
    });
    // A crash between a file's row and its blob being deleted leaves the blob behind.
    const crashed = await client.files.create({
      file: await toFile(Buffer.from('orphan'), 'orphan.txt'),
      purpose: 'assistants',
    });
    await app.store.files.delete(DEFAULT_PROJECT_ID, crashed.id);
    // A container file's bytes live in the same blob store: never an orphan while its row is.
    const container = await client.containers.create({ name: 'kept' });
    const containerFile = await client.containers.files.create(container.id, {
      file: await toFile(Buffer.from('container bytes'), 'data.csv'),
    });
    const now = nowSeconds();
    expect(await janitor.sweepBlobs(now)).toEqual([]); // seen once: maybe an upload in flight
    await blobs().put('file-inflight', Readable.from([Buffer.from('arriving')]));
    expect(await janitor.sweepBlobs(now + 3600)).toEqual([crashed.id]);
    expect(await blobs().size(crashed.id)).toBeUndefined();
    expect(await blobs().size('file-inflight')).toBe(8); // first seen at this sweep
    expect(await (await client.files.content(file.id)).text()).toBe('kept');
    expect(await janitor.sweepBlobs(now + 7200)).toEqual(['file-inflight']);
    const content = await client.containers.files.content.retrieve(containerFile.id, {
      container_id: container.id,
    });
    expect(await content.text()).toBe('container bytes');
  });
});
