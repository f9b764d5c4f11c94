/**
 * Property tests: requests derived from our own schemas, made invalid on purpose, must always get a
 * 4xx with the OpenAI error envelope, never a 5xx, and must never write anything.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/inject.ts';
import type { TestApp } from '../helpers/test-app.ts';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.ts';
import { createApp } from '../../src/app.ts';
import { ConfigSchema } from '../../src/config/config-schema.ts';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  maximum?: number;
  minimum?: number;
  maxLength?: number;
  maxItems?: number;
  items?: JsonSchema;
};

/** Values of JSON types the schema does not accept. */
function wrongTypedValues(schema: JsonSchema): unknown[] {
  // A nullable union is a union inside a union: its branches are the types of every member.
  const typesOf = (branch: JsonSchema): string[] =>
    branch.anyOf || branch.oneOf
      ? (branch.anyOf ?? branch.oneOf)!.flatMap(typesOf)
      : Array.isArray(branch.type)
        ? branch.type
        : branch.type
          ? [branch.type]
          : [];
  const accepted = new Set(typesOf(schema));
  if (accepted.size === 0) return [];
  const candidates: Array<[string, unknown]> = [
    ['string', 'a string'],
    ['number', 12.5],
    ['integer', 7],
    ['boolean', true],
    ['object', { nested: 'object' }],
    ['array', ['an', 'array']],
    ['null', null],
  ];
  return candidates
    .filter(([type]) => !accepted.has(type) && !(type === 'integer' && accepted.has('number')))
    .map(([, value]) => value);
}

/** Values that have the right type but break a bound. */
function outOfRangeValues(schema: JsonSchema): unknown[] {
  const values: unknown[] = [];
  if (schema.maximum !== undefined) values.push(schema.maximum + 1);
  if (schema.minimum !== undefined) values.push(schema.minimum - 1);
  if (schema.maxLength !== undefined) values.push('x'.repeat(schema.maxLength + 1));
  if (schema.enum) values.push('not-one-of-the-enum-values');
  if (schema.maxItems !== undefined && schema.items?.type === 'string')
    values.push(Array.from({ length: schema.maxItems + 1 }, (_, index) => `item${index}`));
  return values;
}

const VALID_BODIES: Record<string, Record<string, unknown>> = {
  createAssistant: { model: 'gpt-4o' },
  modifyAssistant: { name: 'n' },
  createThread: {},
  modifyThread: {},
  createMessage: { role: 'user', content: 'hi' },
  modifyMessage: {},
  createProject: { name: 'p' },
  modifyProject: { name: 'p' },
  createProjectApiKey: { name: 'k' },
  modifyProjectLimits: { max_requests_per_1_minute: 60 },
  modifyProjectApiKeyLimits: { max_concurrent_runs: 2 },
  createRun: { assistant_id: 'asst_fuzz' },
  createThreadAndRun: { assistant_id: 'asst_fuzz' },
  modifyRun: {},
  submitToolOuputsToRun: { tool_outputs: [{ tool_call_id: 'call_1', output: 'x' }] },
  createVectorStore: {},
  modifyVectorStore: {},
  searchVectorStore: { query: 'q' },
  createEmbedding: { model: 'local:use-lite', input: 'fuzz' },
  createVectorStoreFile: { file_id: 'file-fuzz' },
  updateVectorStoreFileAttributes: { attributes: {} },
  createVectorStoreFileBatch: { file_ids: ['file-fuzz'] },
  createServiceAgent: { name: 'fuzz', kind: 'assistant', assistant_id: 'asst_fuzz' },
  modifyServiceAgent: {},
  answerServiceAgentAction: { approved: true },
  resolveServiceAgentAction: { outcome: 'failed' },
  callAssistantAgent: { jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: 'run_missing' } },
  createResponse: { model: 'gpt-4o', input: 'hi' },
  Getinputtokencounts: { model: 'gpt-4o', input: 'hi' },
  Compactconversation: { model: 'gpt-4o', input: 'hi' },
  createConversation: {},
  updateConversation: { metadata: {} },
  createConversationItems: { items: [{ type: 'message', role: 'user', content: 'hi' }] },
  CreateContainer: { name: 'fuzz' },
  CreateContainerFile: { file_id: 'file-fuzz' },
};

describe('invalid requests derived from the schemas', () => {
  let app: TestApp;
  let databaseDirectory: string;
  let database: SqliteDatabase.Database;
  let paths: Record<string, string>;
  let document: any;

  const rowCounts = () =>
    Object.fromEntries(
      [
        'assistants',
        'threads',
        'messages',
        'projects',
        'api_keys',
        'runs',
        'run_events',
        'files',
        'vector_stores',
        'vector_store_files',
        'service_agents',
        'service_agent_actions',
        'responses',
        'conversations',
        'conversation_items',
        'containers',
        'container_files',
        'limit_overrides',
      ].map((table) => [
        table,
        (database.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n,
      ]),
    );

  beforeAll(async () => {
    databaseDirectory = mkdtempSync(join(tmpdir(), 'concierge-fuzz-'));
    const file = join(databaseDirectory, 'fuzz.db');
    const created = await createApp(ConfigSchema.parse({ port: 0, logLevel: 'silent' }), {
      store: createSqliteStore(file),
      logger: false,
    });
    app = { ...created, destroy: () => created.close() };
    database = new SqliteDatabase(file, { readonly: true });
    const assistant = (await request(app.server, 'POST', '/v1/assistants', { model: 'm' })).body.id;
    const thread = (
      await request(app.server, 'POST', '/v1/threads', {
        messages: [{ role: 'user', content: 'x' }],
      })
    ).body.id;
    const message = (await request(app.server, 'GET', `/v1/threads/${thread}/messages`)).body
      .data[0].id;
    const project = (await request(app.server, 'POST', '/v1/organization/projects', { name: 'p' }))
      .body.id;
    paths = {
      assistant_id: assistant,
      thread_id: thread,
      message_id: message,
      project_id: project,
      key_id: 'key_missing',
      run_id: 'run_missing',
      vector_store_id: 'vs_missing',
      file_id: 'file-missing',
      batch_id: 'vsfb_missing',
      service_agent_id: 'sa_missing',
      action_id: 'act_missing',
      response_id: 'resp_missing',
      conversation_id: 'conv_missing',
      container_id: 'cntr_missing',
    };
    document = (await app.server.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
  });
  afterAll(async () => {
    database.close();
    await app.destroy();
    rmSync(databaseDirectory, { recursive: true, force: true });
  });

  function operations() {
    const found: Array<{ operationId: string; method: 'POST'; url: string; schema: JsonSchema }> =
      [];
    for (const [path, methods] of Object.entries<any>(document.paths)) {
      const operation = methods.post;
      if (!operation?.requestBody) continue;
      const url = path.replace(
        /\{([a-z_]+)\}/g,
        (_match: string, name: string) => paths[name] ?? 'missing',
      );
      found.push({
        operationId: operation.operationId,
        method: 'POST',
        url,
        schema: operation.requestBody.content['application/json'].schema,
      });
    }
    return found;
  }

  it('gives 400 for every wrong-typed, out-of-range or unknown field, and writes nothing', async () => {
    const before = rowCounts();
    let checked = 0;
    for (const operation of operations()) {
      const valid = VALID_BODIES[operation.operationId];
      expect(valid, `a valid body for ${operation.operationId}`).toBeDefined();
      const invalidBodies: unknown[] = [{ ...valid, definitely_not_a_field: 1 }];
      for (const [name, property] of Object.entries(operation.schema.properties ?? {})) {
        for (const value of [...wrongTypedValues(property), ...outOfRangeValues(property)])
          invalidBodies.push({ ...valid, [name]: value });
      }
      for (const body of invalidBodies) {
        const response = await request(app.server, operation.method, operation.url, body);
        expect(
          response.status,
          `${operation.operationId} ${JSON.stringify(body).slice(0, 200)}`,
        ).toBe(400);
        expect(Object.keys(response.body.error).sort()).toEqual([
          'code',
          'message',
          'param',
          'type',
        ]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(rowCounts()).toEqual(before);
  });

  it('never answers 5xx to arbitrary JSON bodies, headers or query strings', async () => {
    const targets = operations();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: targets.length - 1 }),
        fc.jsonValue({ maxDepth: 4 }),
        fc.string({ maxLength: 40 }),
        async (index, body, query) => {
          const target = targets[index]!;
          const response = await request(
            app.server,
            'POST',
            `${target.url}?${encodeURIComponent(query)}`,
            JSON.stringify(body),
          );
          expect(response.status).toBeLessThan(500);
          expect(response.status < 400 || typeof response.body.error.message === 'string').toBe(
            true,
          );
          const list = await request(app.server, 'GET', `/v1/assistants?${query}`);
          expect(list.status).toBeLessThan(500);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never answers 5xx to random path segments', async () => {
    await fc.assert(
      // `.` and `..` are path navigation (`/v1/assistants/.` is the list itself), not ids.
      fc.asyncProperty(
        fc
          .string({ minLength: 1, maxLength: 300 })
          .filter((segment) => segment !== '.' && segment !== '..'),
        async (segment) => {
          for (const url of [
            `/v1/assistants/${encodeURIComponent(segment)}`,
            `/v1/threads/${encodeURIComponent(segment)}/messages`,
          ]) {
            const response = await app.server.inject({
              method: 'GET',
              url,
              headers: { authorization: 'Bearer x' },
            });
            expect(response.statusCode).toBeGreaterThanOrEqual(400);
            expect(response.statusCode).toBeLessThan(500);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
