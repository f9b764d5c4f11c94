import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadFile, waitForVectorStore } from '../../../test/helpers/files-api.ts';
import { errorOf, request } from '../../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

describe('tool_resources and message attachments', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.destroy());

  it('refuses ids that do not exist in the project with the 404 OpenAI gives', async () => {
    const unknownFile = await request(app.server, 'POST', '/v1/assistants', {
      model: 'm',
      tool_resources: { code_interpreter: { file_ids: ['file-missing'] } },
    });
    expect(unknownFile.status).toBe(404);
    expect(errorOf(unknownFile)).toEqual({
      message: "No file found with id 'file-missing'.",
      type: 'invalid_request_error',
      param: 'tool_resources.code_interpreter.file_ids',
      code: null,
    });
    const unknownStore = await request(app.server, 'POST', '/v1/threads', {
      tool_resources: { file_search: { vector_store_ids: ['vs_missing'] } },
    });
    expect(errorOf(unknownStore).message).toBe("No vector store found with id 'vs_missing'.");
    const project = (
      await request(app.server, 'POST', '/v1/organization/projects', { name: 'elsewhere' })
    ).body;
    const foreign = (
      await request(app.server, 'POST', '/v1/vector_stores', {}, { 'openai-project': project.id })
    ).body;
    const crossProject = await request(app.server, 'POST', '/v1/assistants', {
      model: 'm',
      tool_resources: { file_search: { vector_store_ids: [foreign.id] } },
    });
    expect(crossProject.status).toBe(404);
    const assistant = (await request(app.server, 'POST', '/v1/assistants', { model: 'm' })).body;
    expect(
      (
        await request(app.server, 'POST', `/v1/assistants/${assistant.id}`, {
          tool_resources: { file_search: { vector_store_ids: ['vs_missing'] } },
        })
      ).status,
    ).toBe(404);
  });

  it('creates and attaches a vector store through the vector_stores helper', async () => {
    const file = await uploadFile(app.server, 'faq.md', 'The office opens at nine.');
    const assistant = await request(app.server, 'POST', '/v1/assistants', {
      model: 'm',
      tools: [{ type: 'file_search' }],
      tool_resources: {
        file_search: {
          vector_stores: [
            {
              file_ids: [file.id],
              chunking_strategy: { type: 'auto' },
              metadata: { origin: 'helper' },
            },
          ],
        },
      },
    });
    expect(assistant.status).toBe(200);
    const [storeId] = assistant.body.tool_resources.file_search.vector_store_ids;
    expect(storeId).toMatch(/^vs_/);
    const store = await waitForVectorStore(app.server, storeId);
    expect(store).toMatchObject({
      metadata: { origin: 'helper' },
      file_counts: { completed: 1, total: 1 },
    });
    const hits = await app.fileSearch({
      projectId: 'proj_default',
      vectorStoreIds: [storeId],
      query: 'when does the office open',
      maxNumResults: 5,
      scoreThreshold: 0,
    });
    expect(hits[0]).toMatchObject({
      file_id: file.id,
      filename: 'faq.md',
      content: [{ type: 'text', text: 'The office opens at nine.' }],
    });

    const missing = await request(app.server, 'POST', '/v1/threads', {
      tool_resources: { file_search: { vector_stores: [{ file_ids: ['file-missing'] }] } },
    });
    expect(errorOf(missing).param).toBe('tool_resources.file_search.vector_stores[0].file_ids');
  });

  it('puts file_search attachments into the thread’s vector store, creating it once', async () => {
    const first = await uploadFile(app.server, 'first.txt', 'Penguins live in the south.');
    const second = await uploadFile(app.server, 'second.txt', 'Polar bears live in the north.');
    const code = await uploadFile(app.server, 'data.csv', 'a,b\n1,2\n');
    const thread = await request(app.server, 'POST', '/v1/threads', {
      messages: [
        {
          role: 'user',
          content: 'Read this',
          attachments: [
            { file_id: first.id, tools: [{ type: 'file_search' }] },
            { file_id: code.id, tools: [{ type: 'code_interpreter' }] },
          ],
        },
      ],
    });
    expect(thread.status).toBe(200);
    const storeId = thread.body.tool_resources.file_search.vector_store_ids[0];
    expect(
      (await request(app.server, 'GET', `/v1/threads/${thread.body.id}`)).body.tool_resources,
    ).toEqual({ file_search: { vector_store_ids: [storeId] } });
    const store = await waitForVectorStore(app.server, storeId);
    expect(store).toMatchObject({
      expires_after: { anchor: 'last_active_at', days: 7 },
      file_counts: { total: 1 },
    });

    const message = await request(app.server, 'POST', `/v1/threads/${thread.body.id}/messages`, {
      role: 'user',
      content: 'And this',
      attachments: [
        { file_id: second.id, tools: [{ type: 'file_search' }, { type: 'code_interpreter' }] },
      ],
    });
    expect(message.status).toBe(200);
    expect(
      (await request(app.server, 'GET', `/v1/threads/${thread.body.id}`)).body.tool_resources
        .file_search.vector_store_ids,
    ).toEqual([storeId]);
    expect((await waitForVectorStore(app.server, storeId)).file_counts).toMatchObject({
      completed: 2,
      total: 2,
    });

    const plain = (await request(app.server, 'POST', '/v1/threads', {})).body;
    const withImage = await request(app.server, 'POST', `/v1/threads/${plain.id}/messages`, {
      role: 'user',
      content: [{ type: 'image_file', image_file: { file_id: 'file-nothere' } }],
    });
    expect(withImage.status).toBe(404);
    expect(errorOf(withImage)).toMatchObject({
      message: "No file found with id 'file-nothere'.",
      param: 'content[0].image_file.file_id',
    });
    const badAttachment = await request(app.server, 'POST', `/v1/threads/${plain.id}/messages`, {
      role: 'user',
      content: 'x',
      attachments: [{ file_id: 'file-nothere', tools: [{ type: 'file_search' }] }],
    });
    expect(errorOf(badAttachment).param).toBe('attachments[0].file_id');
    expect(
      (await request(app.server, 'GET', `/v1/threads/${plain.id}/messages`)).body.data,
    ).toEqual([]);
  });
});
