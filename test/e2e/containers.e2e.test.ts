/**
 * Containers (`client.containers.*`) through the official `openai` SDK 6.49.0 against a listening
 * server: files copied in at create, uploads, copies of uploaded files, same-path replacement (also
 * by truly parallel uploads), downloads, expiry, deletes and the errors, on SQLite and PostgreSQL.
 */
import OpenAI, { BadRequestError, NotFoundError, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT_ID } from '../../src/domain/project.ts';
import { testDatabases } from '../helpers/databases.ts';
import { createListeningTestApp, type TestApp } from '../helpers/test-app.ts';

for (const database of testDatabases) {
  describe(`containers with the official SDK (${database})`, () => {
    let app: TestApp;
    let client: OpenAI;
    beforeAll(async () => {
      const started = await createListeningTestApp({ database });
      app = started.app;
      client = new OpenAI({ baseURL: started.baseURL, apiKey: 'test-key', maxRetries: 0 });
    });
    afterAll(() => app.destroy());

    it('creates a container with files, adds, replaces, downloads and deletes files', async () => {
      const notes = await client.files.create({
        file: await toFile(Buffer.from('a,b\n1,2\n'), 'data.csv'),
        purpose: 'user_data',
      });
      const container = await client.containers.create({
        name: 'analysis',
        file_ids: [notes.id],
        expires_after: { anchor: 'last_active_at', minutes: 5 },
      });
      expect(container).toMatchObject({
        object: 'container',
        name: 'analysis',
        status: 'running',
        expires_after: { anchor: 'last_active_at', minutes: 5 },
        memory_limit: '1g',
        network_policy: { type: 'disabled' },
      });
      expect(container.id).toMatch(/^cntr_/);
      expect(await client.containers.retrieve(container.id)).toEqual(container);

      const copied = [];
      for await (const file of client.containers.files.list(container.id)) copied.push(file);
      expect(copied).toEqual([
        expect.objectContaining({
          object: 'container.file',
          container_id: container.id,
          path: '/mnt/data/data.csv',
          bytes: 8,
          source: 'user',
        }),
      ]);

      const uploaded = await client.containers.files.create(container.id, {
        file: await toFile(Buffer.from('print("hi")\n'), 'script.py'),
      });
      expect(uploaded).toMatchObject({ path: '/mnt/data/script.py', bytes: 12, source: 'user' });
      const content = await client.containers.files.content.retrieve(uploaded.id, {
        container_id: container.id,
      });
      expect(await content.text()).toBe('print("hi")\n');

      // The same path again replaces the file: the old id is gone, its bytes with it.
      const replacement = await client.containers.files.create(container.id, {
        file: await toFile(Buffer.from('print("bye")\n'), 'script.py'),
      });
      await expect(
        client.containers.files.retrieve(uploaded.id, { container_id: container.id }),
      ).rejects.toBeInstanceOf(NotFoundError);
      expect(
        await client.containers.files.retrieve(replacement.id, { container_id: container.id }),
      ).toEqual(replacement);

      // From an uploaded file by id (JSON body rather than multipart).
      const fromFile = await client.containers.files.create(container.id, { file_id: notes.id });
      expect(fromFile).toMatchObject({ path: '/mnt/data/data.csv', bytes: 8 });

      await client.containers.files.delete(replacement.id, { container_id: container.id });
      const left = [];
      for await (const file of client.containers.files.list(container.id)) left.push(file.id);
      expect(left).toEqual([fromFile.id]);

      await client.containers.delete(container.id);
      await expect(client.containers.retrieve(container.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        client.containers.files.content.retrieve(fromFile.id, { container_id: container.id }),
      ).rejects.toBeInstanceOf(NotFoundError);
      // The uploaded file itself is not the container's: it stays.
      expect((await client.files.retrieve(notes.id)).id).toBe(notes.id);
    });

    it('lists containers by name and pages them', async () => {
      const made = [];
      for (let index = 0; index < 3; index++)
        made.push(await client.containers.create({ name: 'paged' }));
      await client.containers.create({ name: 'other' });
      const firstPage = await client.containers.list({ name: 'paged', limit: 2, order: 'asc' });
      expect(firstPage.data.map((container) => container.id)).toEqual([made[0]!.id, made[1]!.id]);
      expect(firstPage.has_more).toBe(true);
      const all = [];
      for await (const container of client.containers.list({ name: 'paged', limit: 2 }))
        all.push(container.id);
      expect(all).toEqual(made.map((container) => container.id).reverse());
    });

    it('keeps one file per path when uploads of the same path race', async () => {
      const container = await client.containers.create({ name: 'race' });
      const results = await Promise.all(
        Array.from({ length: 6 }, async (_, index) =>
          client.containers.files.create(container.id, {
            file: await toFile(Buffer.from(`version ${index}`), 'out.txt'),
          }),
        ),
      );
      const listed = [];
      for await (const file of client.containers.files.list(container.id)) listed.push(file);
      expect(listed).toHaveLength(1);
      expect(results.map((result) => result.id)).toContain(listed[0]!.id);
      const content = await client.containers.files.content.retrieve(listed[0]!.id, {
        container_id: container.id,
      });
      expect(await content.text()).toMatch(/^version \d$/);
    });

    it('expires after its idle time: refuses new files, stays readable', async () => {
      const container = await client.containers.create({
        name: 'short',
        expires_after: { anchor: 'last_active_at', minutes: 1 },
      });
      const later = container.last_active_at! + 61;
      expect(await app.store.containers.touch(DEFAULT_PROJECT_ID, container.id, later)).toBe(false);
      const seen = await app.store.containers.find(DEFAULT_PROJECT_ID, container.id, later);
      expect(seen?.status).toBe('expired');
      // A use within the time keeps it running, from that use on.
      const soon = container.last_active_at! + 30;
      expect(await app.store.containers.touch(DEFAULT_PROJECT_ID, container.id, soon)).toBe(true);
      expect(
        (await app.store.containers.find(DEFAULT_PROJECT_ID, container.id, later))?.status,
      ).toBe('running');
    });

    it('answers unknown ids with 404 and bad input with 400 naming the field', async () => {
      await expect(
        client.containers.create({ name: 'x', file_ids: ['file-doesnotexist'] }),
      ).rejects.toMatchObject({ status: 404, error: { param: 'file_ids' } });
      await expect(client.containers.retrieve('cntr_missing')).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(client.containers.retrieve('asst_wrongkind')).rejects.toBeInstanceOf(
        BadRequestError,
      );
      await expect(
        client.containers.create({
          name: 'x',
          expires_after: { anchor: 'last_active_at', minutes: 0 },
        }),
      ).rejects.toMatchObject({ status: 400, error: { param: 'expires_after.minutes' } });
      // The sandbox has no network, and skills are not served: refused, not ignored.
      await expect(
        client.containers.create({
          name: 'x',
          network_policy: { type: 'allowlist', allowed_domains: ['example.com'] },
        }),
      ).rejects.toMatchObject({ status: 400, error: { param: 'network_policy.type' } });
      await expect(
        client.containers.create({
          name: 'x',
          skills: [{ type: 'skill_reference', skill_id: 'skill_1' }],
        }),
      ).rejects.toMatchObject({ status: 400, error: { param: 'skills' } });
      const container = await client.containers.create({ name: 'errors' });
      await expect(
        client.containers.files.create(container.id, { file_id: 'file-nope' }),
      ).rejects.toMatchObject({ status: 404, error: { param: 'file_id' } });
      await expect(client.containers.files.create(container.id, {})).rejects.toMatchObject({
        status: 400,
      });
    });
  });
}
