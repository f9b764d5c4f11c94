/**
 * Every request body field that names another object (a file, a vector store, a service agent, an
 * assistant) is looked up in the caller's project: another project's id answers exactly the 404 of an id
 * that does not exist, and the request changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type IdKind } from '../../domain/ids.ts';
import { testDatabases } from '../../../test/helpers/databases.ts';
import { uploadFile } from '../../../test/helpers/files-api.ts';
import { request, type JsonResponse } from '../../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

const ADMIN = 'admin-key-for-project-reference-tests';

type Kind = 'file' | 'vectorStore' | 'serviceAgent' | 'assistant';

interface ReferenceCase {
  /** The body field that names the id. */
  field: string;
  kind: Kind;
  /** Sends the request as the first project, naming `id` in `field`. */
  call(id: string): Promise<JsonResponse>;
}

const as = (key: string) => ({ authorization: `Bearer ${key}` });
const serviceAgentTool = (id: string) => ({ type: 'service_agent', service_agent: { id } });
const attachment = (id: string) => ({ file_id: id, tools: [{ type: 'file_search' }] });
const imageMessage = (id: string) => ({
  role: 'user',
  content: [{ type: 'image_file', image_file: { file_id: id } }],
});

describe.each(testDatabases)('ids of another project in request bodies (%s)', (database) => {
  let app: TestApp;
  let alphaKey: string;
  /** The first project's own objects, and the second project's. */
  const own = {} as Record<Kind, string>;
  const foreign = {} as Record<Kind, string>;
  let ownThread: string;

  const post = (url: string, body: unknown) => request(app.server, 'POST', url, body, as(alphaKey));
  const get = (url: string) => request(app.server, 'GET', url, undefined, as(alphaKey));
  const freshThread = async () => (await post('/v1/threads', {})).body.id as string;

  async function projectKey(name: string): Promise<string> {
    const project = (
      await request(app.server, 'POST', '/v1/organization/projects', { name }, as(ADMIN))
    ).body;
    return (
      await request(
        app.server,
        'POST',
        `/v1/organization/projects/${project.id}/api_keys`,
        { name: 'tests' },
        as(ADMIN),
      )
    ).body.value;
  }

  async function seed(key: string, into: Record<Kind, string>): Promise<void> {
    const send = (url: string, body: unknown) =>
      request(app.server, 'POST', url, body, as(key)).then((response) => response.body.id);
    into.file = (await uploadFile(app.server, 'notes.txt', 'refunds take 30 days', as(key))).id;
    into.vectorStore = await send('/v1/vector_stores', {});
    into.assistant = await send('/v1/assistants', { model: 'm' });
    into.serviceAgent = await send('/v1/service_agents', {
      name: 'helper',
      kind: 'assistant',
      assistant_id: into.assistant,
    });
  }

  beforeAll(async () => {
    // No worker: created runs stay queued and files stay unindexed; this suite is about the requests.
    app = await createTestApp({ database, config: { apiKey: ADMIN, worker: false } });
    alphaKey = await projectKey('alpha');
    await seed(alphaKey, own);
    await seed(await projectKey('beta'), foreign);
    ownThread = await freshThread();
  });
  afterAll(() => app?.destroy());

  const cases: ReferenceCase[] = [
    {
      field: 'assistant create: tools[].service_agent.id',
      kind: 'serviceAgent',
      call: (id) => post('/v1/assistants', { model: 'm', tools: [serviceAgentTool(id)] }),
    },
    {
      field: 'assistant update: tools[].service_agent.id',
      kind: 'serviceAgent',
      call: (id) => post(`/v1/assistants/${own.assistant}`, { tools: [serviceAgentTool(id)] }),
    },
    {
      field: 'assistant create: tool_resources.code_interpreter.file_ids',
      kind: 'file',
      call: (id) =>
        post('/v1/assistants', {
          model: 'm',
          tool_resources: { code_interpreter: { file_ids: [id] } },
        }),
    },
    {
      field: 'assistant create: tool_resources.file_search.vector_store_ids',
      kind: 'vectorStore',
      call: (id) =>
        post('/v1/assistants', {
          model: 'm',
          tool_resources: { file_search: { vector_store_ids: [id] } },
        }),
    },
    {
      field: 'assistant create: tool_resources.file_search.vector_stores[].file_ids',
      kind: 'file',
      call: (id) =>
        post('/v1/assistants', {
          model: 'm',
          tool_resources: { file_search: { vector_stores: [{ file_ids: [id] }] } },
        }),
    },
    {
      field: 'assistant update: tool_resources.file_search.vector_store_ids',
      kind: 'vectorStore',
      call: (id) =>
        post(`/v1/assistants/${own.assistant}`, {
          tool_resources: { file_search: { vector_store_ids: [id] } },
        }),
    },
    {
      field: 'thread create: tool_resources.code_interpreter.file_ids',
      kind: 'file',
      call: (id) =>
        post('/v1/threads', { tool_resources: { code_interpreter: { file_ids: [id] } } }),
    },
    {
      field: 'thread create: messages[].attachments[].file_id',
      kind: 'file',
      call: (id) =>
        post('/v1/threads', {
          messages: [{ role: 'user', content: 'hi', attachments: [attachment(id)] }],
        }),
    },
    {
      field: 'thread create: messages[].content[].image_file.file_id',
      kind: 'file',
      call: (id) => post('/v1/threads', { messages: [imageMessage(id)] }),
    },
    {
      field: 'thread update: tool_resources.file_search.vector_store_ids',
      kind: 'vectorStore',
      call: (id) =>
        post(`/v1/threads/${ownThread}`, {
          tool_resources: { file_search: { vector_store_ids: [id] } },
        }),
    },
    {
      field: 'message create: attachments[].file_id',
      kind: 'file',
      call: (id) =>
        post(`/v1/threads/${ownThread}/messages`, {
          role: 'user',
          content: 'hi',
          attachments: [attachment(id)],
        }),
    },
    {
      field: 'message create: content[].image_file.file_id',
      kind: 'file',
      call: (id) => post(`/v1/threads/${ownThread}/messages`, imageMessage(id)),
    },
    {
      field: 'run create: assistant_id',
      kind: 'assistant',
      call: async (id) => post(`/v1/threads/${await freshThread()}/runs`, { assistant_id: id }),
    },
    {
      field: 'run create: tools[].service_agent.id',
      kind: 'serviceAgent',
      call: async (id) =>
        post(`/v1/threads/${await freshThread()}/runs`, {
          assistant_id: own.assistant,
          tools: [serviceAgentTool(id)],
        }),
    },
    {
      field: 'run create: additional_messages[].attachments[].file_id',
      kind: 'file',
      call: async (id) =>
        post(`/v1/threads/${await freshThread()}/runs`, {
          assistant_id: own.assistant,
          additional_messages: [{ role: 'user', content: 'hi', attachments: [attachment(id)] }],
        }),
    },
    {
      field: 'run create: additional_messages[].content[].image_file.file_id',
      kind: 'file',
      call: async (id) =>
        post(`/v1/threads/${await freshThread()}/runs`, {
          assistant_id: own.assistant,
          additional_messages: [imageMessage(id)],
        }),
    },
    {
      field: 'thread and run: assistant_id',
      kind: 'assistant',
      call: (id) => post('/v1/threads/runs', { assistant_id: id }),
    },
    {
      field: 'thread and run: tools[].service_agent.id',
      kind: 'serviceAgent',
      call: (id) =>
        post('/v1/threads/runs', { assistant_id: own.assistant, tools: [serviceAgentTool(id)] }),
    },
    {
      field: 'thread and run: tool_resources.code_interpreter.file_ids',
      kind: 'file',
      call: (id) =>
        post('/v1/threads/runs', {
          assistant_id: own.assistant,
          tool_resources: { code_interpreter: { file_ids: [id] } },
        }),
    },
    {
      field: 'thread and run: tool_resources.file_search.vector_store_ids',
      kind: 'vectorStore',
      call: (id) =>
        post('/v1/threads/runs', {
          assistant_id: own.assistant,
          tool_resources: { file_search: { vector_store_ids: [id] } },
        }),
    },
    {
      field: 'thread and run: thread.tool_resources.file_search.vector_store_ids',
      kind: 'vectorStore',
      call: (id) =>
        post('/v1/threads/runs', {
          assistant_id: own.assistant,
          thread: { tool_resources: { file_search: { vector_store_ids: [id] } } },
        }),
    },
    {
      field: 'thread and run: thread.messages[].attachments[].file_id',
      kind: 'file',
      call: (id) =>
        post('/v1/threads/runs', {
          assistant_id: own.assistant,
          thread: { messages: [{ role: 'user', content: 'hi', attachments: [attachment(id)] }] },
        }),
    },
    {
      field: 'vector store create: file_ids',
      kind: 'file',
      call: (id) => post('/v1/vector_stores', { file_ids: [id] }),
    },
    {
      field: 'vector store file create: file_id',
      kind: 'file',
      call: (id) => post(`/v1/vector_stores/${own.vectorStore}/files`, { file_id: id }),
    },
    {
      field: 'vector store file create: the vector store (path)',
      kind: 'vectorStore',
      call: (id) => post(`/v1/vector_stores/${id}/files`, { file_id: own.file }),
    },
    {
      field: 'file batch create: file_ids',
      kind: 'file',
      call: (id) => post(`/v1/vector_stores/${own.vectorStore}/file_batches`, { file_ids: [id] }),
    },
    {
      field: 'file batch create: files[].file_id',
      kind: 'file',
      call: (id) =>
        post(`/v1/vector_stores/${own.vectorStore}/file_batches`, { files: [{ file_id: id }] }),
    },
    {
      field: 'service agent create: assistant_id',
      kind: 'assistant',
      call: (id) =>
        post('/v1/service_agents', {
          name: `delegate_${Date.now()}`,
          kind: 'assistant',
          assistant_id: id,
        }),
    },
  ];

  const MISSING: Record<Kind, IdKind> = {
    file: 'file',
    vectorStore: 'vectorStore',
    serviceAgent: 'serviceAgent',
    assistant: 'assistant',
  };

  it('run additional_messages: files are checked and searchable attachments join the thread’s vector store', async () => {
    const thread = await freshThread();
    const missing = newId('file');
    const refused = await post(`/v1/threads/${thread}/runs`, {
      assistant_id: own.assistant,
      additional_messages: [
        { role: 'user', content: 'first' },
        { role: 'user', content: 'hi', attachments: [attachment(missing)] },
      ],
    });
    expect(refused.body.error).toEqual({
      message: `No file found with id '${missing}'.`,
      type: 'invalid_request_error',
      param: 'additional_messages[1].attachments[0].file_id',
      code: null,
    });
    const created = await post(`/v1/threads/${thread}/runs`, {
      assistant_id: own.assistant,
      additional_messages: [{ role: 'user', content: 'hi', attachments: [attachment(own.file)] }],
    });
    expect(created.status).toBe(200);
    const [storeId] = (await get(`/v1/threads/${thread}`)).body.tool_resources.file_search
      .vector_store_ids;
    const files = (await get(`/v1/vector_stores/${storeId}/files`)).body.data;
    expect(files.map((file: { id: string }) => file.id)).toEqual([own.file]);
  });

  const table = cases.map((each) => [each.field, each.kind, each] as const);

  it.each(table)('%s: another project’s %s is a 404 like a missing one', async (_, __, each) => {
    const missingId = newId(MISSING[each.kind]);
    const missing = await each.call(missingId);
    expect(missing.status).toBe(404);
    const crossProject = await each.call(foreign[each.kind]);
    expect(crossProject.status).toBe(404);
    expect(crossProject.body).toEqual(
      JSON.parse(JSON.stringify(missing.body).replaceAll(missingId, foreign[each.kind])),
    );
  });

  it('a refused run leaves its thread without runs or messages', async () => {
    const thread = await freshThread();
    const refused = await post(`/v1/threads/${thread}/runs`, {
      assistant_id: own.assistant,
      tools: [serviceAgentTool(foreign.serviceAgent)],
      additional_messages: [{ role: 'user', content: 'hi', attachments: [attachment(own.file)] }],
    });
    expect(refused.status).toBe(404);
    const withFile = await post(`/v1/threads/${thread}/runs`, {
      assistant_id: own.assistant,
      additional_messages: [
        { role: 'user', content: 'first' },
        { role: 'user', content: 'hi', attachments: [attachment(foreign.file)] },
      ],
    });
    expect(withFile.status).toBe(404);
    expect((await get(`/v1/threads/${thread}/runs`)).body.data).toEqual([]);
    expect((await get(`/v1/threads/${thread}/messages`)).body.data).toEqual([]);
    const unchanged = (await get(`/v1/threads/${thread}`)).body;
    expect(unchanged.tool_resources).toEqual({});
  });

  it.each(table)('%s: the project’s own %s is accepted', async (_, __, each) => {
    const response = await each.call(own[each.kind]);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  });
});
