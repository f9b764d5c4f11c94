/**
 * Files and vector stores through the official `openai` SDK 6.49.0 against a listening server, with
 * hybrid retrieval on the test embedding model (served over HTTP, so the real adapter runs).
 */
import OpenAI, { NotFoundError, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDocx, makePdf } from '../helpers/document-fixtures.ts';
import {
  startTestEmbeddingServer,
  TEST_EMBEDDING_MODEL,
  type TestEmbeddingServer,
} from '../helpers/embedding-server.ts';
import { postgresAvailable } from '../helpers/postgres.ts';
import { createListeningTestApp, type TestApp } from '../helpers/test-app.ts';

// Postgres runs when reachable; CONCIERGE_TEST_POSTGRES_URL (set by CI) makes an unreachable server a failure.
for (const database of ['sqlite', 'postgres'] as const) {
  describe.runIf(database === 'sqlite' || postgresAvailable)(
    `files and vector stores with the official SDK (${database})`,
    () => {
      let embeddings: TestEmbeddingServer;
      let app: TestApp;
      let client: OpenAI;
      beforeAll(async () => {
        embeddings = await startTestEmbeddingServer();
        const started = await createListeningTestApp({
          database,
          config: { embeddingModel: TEST_EMBEDDING_MODEL, providerBaseUrl: embeddings.baseURL },
        });
        app = started.app;
        client = new OpenAI({ baseURL: started.baseURL, apiKey: 'test-key', maxRetries: 0 });
      });
      afterAll(async () => {
        await app.destroy();
        await embeddings.close();
      });

      it('uploads with toFile, lists, downloads and deletes files', async () => {
        const text = 'Concierge handbook: visitors sign in at the front desk. ☃';
        const file = await client.files.create({
          file: await toFile(Buffer.from(text), 'handbook.md'),
          purpose: 'assistants',
        });
        expect(file).toMatchObject({
          object: 'file',
          filename: 'handbook.md',
          purpose: 'assistants',
          bytes: Buffer.byteLength(text),
          status: 'processed',
        });
        expect(await client.files.retrieve(file.id)).toEqual(file);
        const content = await client.files.content(file.id);
        expect(await content.text()).toBe(text);
        const vision = await client.files.create({
          file: await toFile(Buffer.from([1, 2, 3]), 'pixel.png'),
          purpose: 'vision',
          expires_after: { anchor: 'created_at', seconds: 3600 },
        });
        expect(vision.expires_at).toBe(vision.created_at + 3600);
        const assistantsFiles = [];
        for await (const listed of client.files.list({ purpose: 'assistants' }))
          assistantsFiles.push(listed.id);
        expect(assistantsFiles).toContain(file.id);
        expect(assistantsFiles).not.toContain(vision.id);
        expect(await client.files.delete(vision.id)).toEqual({
          id: vision.id,
          object: 'file',
          deleted: true,
        });
        await expect(client.files.retrieve(vision.id)).rejects.toBeInstanceOf(NotFoundError);
      });

      it('uploads into a vector store, polls to completion, searches and manages its files', async () => {
        const store = await client.vectorStores.create({
          name: 'Support',
          metadata: { team: 'support' },
        });
        expect(store).toMatchObject({
          object: 'vector_store',
          name: 'Support',
          status: 'completed',
          file_counts: { total: 0 },
        });

        const single = await client.vectorStores.files.uploadAndPoll(
          store.id,
          await toFile(
            Buffer.from('Returns are accepted within thirty days with a receipt.'),
            'returns.txt',
          ),
        );
        expect(single).toMatchObject({
          object: 'vector_store.file',
          status: 'completed',
          vector_store_id: store.id,
          last_error: null,
        });

        const batch = await client.vectorStores.fileBatches.uploadAndPoll(store.id, {
          files: [
            await toFile(
              makePdf(['Gift cards never expire.', 'They cannot be exchanged for cash.']),
              'gift-cards.pdf',
            ),
            await toFile(makeDocx(['Store hours are nine to five on weekdays.']), 'hours.docx'),
            await toFile(Buffer.from('\u0000\u0001\u0002 not text'), 'corrupt.txt'),
          ],
        });
        expect(batch).toMatchObject({
          object: 'vector_store.files_batch',
          status: 'completed',
          file_counts: { completed: 2, failed: 1, total: 3 },
        });
        const failedInBatch = [];
        for await (const item of client.vectorStores.fileBatches.listFiles(batch.id, {
          vector_store_id: store.id,
          filter: 'failed',
        }))
          failedInBatch.push(item);
        expect(failedInBatch).toHaveLength(1);
        expect(failedInBatch[0]!.last_error?.code).toBe('invalid_file');

        const retrieved = await client.vectorStores.retrieve(store.id);
        expect(retrieved.file_counts).toEqual({
          in_progress: 0,
          completed: 3,
          failed: 1,
          cancelled: 0,
          total: 4,
        });
        expect(retrieved.usage_bytes).toBeGreaterThan(0);

        const page = await client.vectorStores.search(store.id, {
          query: 'when do gift cards expire?',
          max_num_results: 3,
        });
        expect(page.data[0]).toMatchObject({
          filename: 'gift-cards.pdf',
          content: [{ type: 'text', text: expect.stringContaining('Gift cards never expire.') }],
        });
        expect(page.data.length).toBeLessThanOrEqual(3);

        await client.vectorStores.files.update(single.id, {
          vector_store_id: store.id,
          attributes: { kind: 'policy', version: 2 },
        });
        const filtered = await client.vectorStores.search(store.id, {
          query: 'receipt returns gift hours',
          filters: { type: 'eq', key: 'kind', value: 'policy' },
        });
        expect(filtered.data.map((result) => result.file_id)).toEqual([single.id]);
        expect(filtered.data[0]!.attributes).toEqual({ kind: 'policy', version: 2 });

        const text = [];
        for await (const part of client.vectorStores.files.content(single.id, {
          vector_store_id: store.id,
        }))
          text.push(part.text);
        expect(text.join('')).toBe('Returns are accepted within thirty days with a receipt.');

        const completed = [];
        for await (const item of client.vectorStores.files.list(store.id, { filter: 'completed' }))
          completed.push(item.id);
        expect(completed).toHaveLength(3);
        expect(
          await client.vectorStores.files.delete(single.id, { vector_store_id: store.id }),
        ).toEqual({ id: single.id, object: 'vector_store.file.deleted', deleted: true });
        expect((await client.files.retrieve(single.id)).id).toBe(single.id);

        const updated = await client.vectorStores.update(store.id, {
          name: 'Support v2',
          expires_after: { anchor: 'last_active_at', days: 30 },
        });
        expect(updated).toMatchObject({
          name: 'Support v2',
          expires_after: { anchor: 'last_active_at', days: 30 },
        });
        expect(await client.vectorStores.delete(store.id)).toEqual({
          id: store.id,
          object: 'vector_store.deleted',
          deleted: true,
        });
        await expect(client.vectorStores.retrieve(store.id)).rejects.toThrow(
          `No vector store found with id '${store.id}'.`,
        );
      });

      it('indexes UTF-16 text files by their byte order mark and finds their words', async () => {
        const text = 'Lost luggage is held at the concierge desk for ninety days.';
        const little = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
        const store = await client.vectorStores.create({ name: 'utf-16' });
        const batch = await client.vectorStores.fileBatches.uploadAndPoll(store.id, {
          files: [
            await toFile(little, 'luggage-le.txt'),
            await toFile(Buffer.from(little).swap16(), 'luggage-be.md'),
          ],
        });
        expect(batch.file_counts).toMatchObject({ completed: 2, failed: 0 });
        const found = await client.vectorStores.search(store.id, { query: 'lost luggage' });
        expect(found.data.map((result) => result.filename).sort()).toEqual([
          'luggage-be.md',
          'luggage-le.txt',
        ]);
        expect(found.data[0]!.content[0]!.text).toBe(text);
      });

      it('attaches stores to assistants and threads', async () => {
        const file = await client.files.create({
          file: await toFile(Buffer.from('The wifi password is in the lobby.'), 'wifi.txt'),
          purpose: 'assistants',
        });
        const assistant = await client.beta.assistants.create({
          model: 'gpt-4o',
          tools: [{ type: 'file_search' }],
          tool_resources: { file_search: { vector_stores: [{ file_ids: [file.id] }] } },
        });
        const storeId = assistant.tool_resources!.file_search!.vector_store_ids![0]!;
        const polled = await client.vectorStores.retrieve(storeId);
        expect(polled.file_counts.total).toBe(1);
        const thread = await client.beta.threads.create({
          messages: [
            {
              role: 'user',
              content: 'Where is the wifi password?',
              attachments: [{ file_id: file.id, tools: [{ type: 'file_search' }] }],
            },
          ],
        });
        expect(thread.tool_resources?.file_search?.vector_store_ids).toHaveLength(1);
        await expect(
          client.beta.threads.create({
            tool_resources: { file_search: { vector_store_ids: ['vs_unknown'] } },
          }),
        ).rejects.toThrow("No vector store found with id 'vs_unknown'.");
      });
    },
  );
}
