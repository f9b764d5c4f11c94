import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadFile, waitForVectorStore } from '../../../test/helpers/files-api.ts';
import { request } from '../../../test/helpers/inject.ts';
import { postgresAvailable } from '../../../test/helpers/postgres.ts';
import { startScriptedModel, type ScriptedModel } from '../../../test/helpers/scripted-model.ts';
import {
  createTestPaymentsAgent,
  type TestPaymentsAgent,
} from '../../../test/helpers/test-payments-agent.ts';
import { createListeningTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

const ADMIN = 'admin-key-for-mcp-tests';

const textOf = (result: CallToolResult) =>
  result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');

type Answer = { approved: boolean; reason?: string } | 'decline';

describe.each([
  ['sqlite', true],
  ['postgres', postgresAvailable],
] as const)(
  'Concierge as an MCP server, driven by the official MCP SDK client (%s)',
  (database, available) => {
    let app: TestApp;
    let upstream: ScriptedModel;
    let payments: TestPaymentsAgent;
    let origin: string;
    let key: string;
    let otherKey: string;
    let openai: OpenAI;
    let assistantId: string;
    let agentId: string;
    const clients: Client[] = [];

    async function connect(apiKey: string, answer?: () => Answer): Promise<Client> {
      const client = new Client(
        { name: 'mcp-test-client', version: '1.2.3' },
        { capabilities: answer ? { elicitation: { form: {} } } : {} },
      );
      if (answer)
        client.setRequestHandler(ElicitRequestSchema, () => {
          const given = answer();
          return given === 'decline'
            ? { action: 'decline' }
            : { action: 'accept', content: given as Record<string, string | boolean> };
        });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${apiKey}` } },
        }),
      );
      clients.push(client);
      return client;
    }

    beforeAll(async () => {
      if (!available) return;
      upstream = await startScriptedModel();
      payments = createTestPaymentsAgent();
      let baseURL: string;
      ({ app, baseURL } = await createListeningTestApp({
        config: { apiKey: ADMIN, providerBaseUrl: upstream.url, modelTimeoutSeconds: 5 },
        database,
        overrides: { builtinAgents: [payments] },
      }));
      origin = baseURL.replace(/\/v1$/, '');
      const admin = { authorization: `Bearer ${ADMIN}` };
      const keys: string[] = [];
      for (const name of ['travel', 'other']) {
        const project = (
          await request(app.server, 'POST', '/v1/organization/projects', { name }, admin)
        ).body;
        keys.push(
          (
            await request(
              app.server,
              'POST',
              `/v1/organization/projects/${project.id}/api_keys`,
              { name: 'mcp' },
              admin,
            )
          ).body.value,
        );
      }
      [key, otherKey] = keys as [string, string];
      openai = new OpenAI({ baseURL, apiKey: key, maxRetries: 0 });
      assistantId = (
        await openai.beta.assistants.create({
          model: 'gpt-4o',
          name: 'Trip planner',
          instructions: 'You plan trips. Be brief.',
        })
      ).id;
      agentId = (
        await (openai as any).post('/service_agents', {
          body: { name: 'pay', kind: 'builtin', builtin: 'test_payments', policy: {} },
        })
      ).id;
    });
    afterAll(async () => {
      if (!available) return;
      await Promise.all(clients.map((client) => client.close().catch(() => {})));
      await app.destroy();
      await upstream.stop();
    });

    it.runIf(available)('refuses a bad key with the API 401 envelope, before any MCP', async () => {
      const response = await fetch(`${origin}/mcp`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer sk-wrong',
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as any).error).toMatchObject({
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      });
      const client = new Client({ name: 'bad', version: '0' });
      await expect(
        client.connect(
          new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), {
            requestInit: { headers: { authorization: 'Bearer sk-wrong' } },
          }),
        ),
      ).rejects.toMatchObject({ code: 401 });
    });

    it.runIf(available)(
      "lists the project's service agents and assistants, and nothing of another project",
      async () => {
        const client = await connect(key);
        const { tools } = await client.listTools();
        const pay = tools.find((tool) => tool.name === 'pay');
        expect(pay).toMatchObject({
          description: payments.description,
          inputSchema: { type: 'object', required: ['amount_usd'] },
        });
        expect(tools.find((tool) => tool.name === `assistant_${assistantId}`)).toMatchObject({
          title: 'Trip planner',
          inputSchema: { required: ['message'] },
        });
        const other = await connect(otherKey);
        expect((await other.listTools()).tools).toEqual([]);
      },
    );

    it.runIf(available)('searches a vector store through its tool', async () => {
      const headers = { authorization: `Bearer ${key}` };
      const refunds = await uploadFile(
        app.server,
        'refunds.txt',
        'Refunds are paid within 30 days of the return.',
        headers,
      );
      const prices = await uploadFile(app.server, 'prices.csv', 'item,price\ntent,120\n', headers);
      const vectorStore = await openai.vectorStores.create({
        name: 'Policies',
        file_ids: [refunds.id, prices.id],
      });
      await waitForVectorStore(app.server, vectorStore.id, headers);
      const client = await connect(key);
      const tool = (await client.listTools()).tools.find(
        (candidate) => candidate.name === `search_${vectorStore.id}`,
      );
      expect(tool?.title).toBe('Search Policies');
      const result = (await client.callTool({
        name: `search_${vectorStore.id}`,
        arguments: { query: 'when are refunds paid', max_num_results: 1 },
      })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(textOf(result)).toContain('Refunds are paid within 30 days');
      expect((result.structuredContent as { results: unknown[] }).results).toHaveLength(1);
    });

    it.runIf(available)(
      'holds a two-turn conversation with an assistant, with progress as the run streams',
      async () => {
        upstream.enqueue({ text: 'Lisbon in May is lovely.' }, { text: 'Pack a light jacket.' });
        const client = await connect(key);
        const progress: string[] = [];
        const first = (await client.callTool(
          { name: `assistant_${assistantId}`, arguments: { message: 'Where should I go?' } },
          undefined,
          { onprogress: (update) => progress.push(update.message ?? '') },
        )) as CallToolResult;
        expect(first.isError).toBeFalsy();
        expect(textOf(first)).toBe('Lisbon in May is lovely.');
        expect(progress.join('')).toBe('Lisbon in May is lovely.');
        const threadId = (first.structuredContent as { thread_id: string }).thread_id;
        expect(threadId).toMatch(/^thread_/);

        const second = (await client.callTool({
          name: `assistant_${assistantId}`,
          arguments: { message: 'What should I pack?', thread_id: threadId },
        })) as CallToolResult;
        expect(textOf(second)).toBe('Pack a light jacket.');
        expect(second.structuredContent).toMatchObject({
          thread_id: threadId,
          status: 'completed',
        });
        // The second turn's model request carried the first turn: the conversation continued.
        const sent = JSON.stringify(upstream.lastRequest.messages);
        expect(sent).toContain('Where should I go?');
        expect(sent).toContain('Lisbon in May is lovely.');
        const thread = await openai.beta.threads.retrieve(threadId);
        expect(thread.metadata).toMatchObject({ mcp_client: 'mcp-test-client 1.2.3' });

        const wrong = (await client.callTool({
          name: `assistant_${assistantId}`,
          arguments: { message: 'Hi', thread_id: 'thread_nope' },
        })) as CallToolResult;
        expect(wrong.isError).toBe(true);
        expect(textOf(wrong)).toMatch(/not a conversation of this project/);
      },
    );

    it.runIf(available)(
      'calls a service agent through an approval asked by elicitation, recorded in the audit log',
      async () => {
        const asked: string[] = [];
        const client = await connect(key, () => {
          asked.push('asked');
          return { approved: true, reason: 'fine by me' };
        });
        const before = payments.executions.length;
        const result = (await client.callTool({
          name: 'pay',
          arguments: { amount_usd: 12, merchant: 'books.test' },
        })) as CallToolResult;
        expect(asked).toHaveLength(1);
        expect(result.isError).toBeFalsy();
        expect(textOf(result)).toMatch(/Paid \$12\.00/);
        expect(payments.executions).toHaveLength(before + 1);
        const actionId = (result.structuredContent as { action_id: string }).action_id;
        const action = await (openai as any).get(`/service_agents/actions/${actionId}`);
        expect(action).toMatchObject({
          status: 'executed',
          run_id: null,
          service_agent_id: agentId,
        });
        const approval = action.transitions.find((step: any) => step.to === 'approved');
        expect(approval.decided_by).toBe('person');
        expect(approval.key_id).toMatch(/^key_/);
        expect(approval.reason).toBe(
          'fine by me (answered through the MCP client mcp-test-client 1.2.3)',
        );
      },
    );

    it.runIf(available)(
      'an assistant whose run needs an approval asks through elicitation and goes on',
      async () => {
        const helper = await openai.beta.assistants.create({
          model: 'gpt-4o',
          name: 'Shopper',
          tools: [{ type: 'service_agent', service_agent: { id: agentId } } as any],
        });
        upstream.enqueue(
          { toolCalls: [{ name: 'pay', arguments: { amount_usd: 3 } }] },
          { text: 'Paid.' },
        );
        const asked: string[] = [];
        const client = await connect(key, () => {
          asked.push('asked');
          return { approved: true };
        });
        const before = payments.executions.length;
        const result = (await client.callTool({
          name: `assistant_${helper.id}`,
          arguments: { message: 'Pay three dollars.' },
        })) as CallToolResult;
        expect(asked).toHaveLength(1);
        expect(textOf(result)).toBe('Paid.');
        expect(payments.executions).toHaveLength(before + 1);
        const { run_id: runId } = result.structuredContent as { run_id: string };
        const actions = await (openai as any).get(`/service_agents/actions?run_id=${runId}`);
        expect(actions.data[0]).toMatchObject({ status: 'executed', run_id: runId });
      },
    );

    it.runIf(available)('a declined elicitation executes nothing', async () => {
      const client = await connect(key, () => 'decline');
      const before = payments.executions.length;
      const result = (await client.callTool({
        name: 'pay',
        arguments: { amount_usd: 5 },
      })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/declined/);
      expect(payments.executions).toHaveLength(before);
    });

    it.runIf(available)(
      'without elicitation, answers the pending action; approving it through the API executes it once',
      async () => {
        const client = await connect(key);
        const before = payments.executions.length;
        const result = (await client.callTool({
          name: 'pay',
          arguments: { amount_usd: 7 },
        })) as CallToolResult;
        expect(result.isError).toBeFalsy();
        const { action_id: actionId, status } = result.structuredContent as {
          action_id: string;
          status: string;
        };
        expect(status).toBe('pending_approval');
        expect(textOf(result)).toContain(`POST /v1/service_agents/actions/${actionId}/approval`);
        expect(payments.executions).toHaveLength(before);

        // Two answers at once: one executes, the other finds the action already taken.
        const answers = await Promise.all(
          [0, 1].map(() =>
            (openai as any).post(`/service_agents/actions/${actionId}/approval`, {
              body: { approved: true },
            }),
          ),
        );
        expect(payments.executions).toHaveLength(before + 1);
        expect(
          answers.filter((answer: any) => /Paid \$7\.00/.test(answer.output)).length,
        ).toBeGreaterThanOrEqual(1);
        const action = await (openai as any).get(`/service_agents/actions/${actionId}`);
        expect(action.status).toBe('executed');
        expect(action.transitions.filter((step: any) => step.to === 'executed')).toHaveLength(1);

        const again = await request(
          app.server,
          'POST',
          `/v1/service_agents/actions/${actionId}/approval`,
          { approved: true },
          { authorization: `Bearer ${otherKey}` },
        );
        expect(again.status).toBe(404);
      },
    );

    it.runIf(available)(
      'an approval that arrives while another one is executing the action executes nothing',
      async () => {
        const client = await connect(key);
        const before = payments.executions.length;
        const result = (await client.callTool({
          name: 'pay',
          arguments: { amount_usd: 8 },
        })) as CallToolResult;
        const { action_id: actionId } = result.structuredContent as { action_id: string };
        const approve = () =>
          (openai as any).post(`/service_agents/actions/${actionId}/approval`, {
            body: { approved: true },
          });

        // The first approval claims the action and is held midway through the payment.
        const hold = payments.holdNext();
        const first = approve();
        await hold.started;
        expect((await (openai as any).get(`/service_agents/actions/${actionId}`)).status).toBe(
          'executing',
        );
        const second = await approve();
        expect(second.status).toBe('executing');
        expect(second.output).toMatch(/being carried out/);
        expect(payments.executions).toHaveLength(before);

        hold.release();
        expect((await first).output).toMatch(/Paid \$8\.00/);
        expect(payments.executions).toHaveLength(before + 1);
        const action = await (openai as any).get(`/service_agents/actions/${actionId}`);
        expect(action.status).toBe('executed');
        expect(action.transitions.filter((step: any) => step.to === 'executed')).toHaveLength(1);
      },
    );

    it.runIf(available)(
      'an unknown tool or session is an error the client can read, never a 5xx',
      async () => {
        const client = await connect(key);
        const result = (await client.callTool({ name: 'nope', arguments: {} })) as CallToolResult;
        expect(result.isError).toBe(true);
        expect(textOf(result)).toMatch(/no tool named 'nope'/);
        const response = await fetch(`${origin}/mcp`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-session-id': 'not-a-session',
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        });
        expect(response.status).toBe(404);
      },
    );
  },
);

describe('MCP sessions when a node holds as many as it may', () => {
  it('a key that opens sessions without closing them recycles its own, and never locks another key out', async () => {
    const { app, baseURL } = await createListeningTestApp({ config: { apiKey: ADMIN } });
    try {
      const origin = baseURL.replace(/\/v1$/, '');
      const admin = { authorization: `Bearer ${ADMIN}` };
      const keys: string[] = [];
      for (const name of ['flood', 'quiet']) {
        const project = (
          await request(app.server, 'POST', '/v1/organization/projects', { name }, admin)
        ).body;
        const path = `/v1/organization/projects/${project.id}/api_keys`;
        keys.push((await request(app.server, 'POST', path, { name: 'mcp' }, admin)).body.value);
      }
      const [flood, quiet] = keys as [string, string];
      const initialize = async (apiKey: string) => {
        const response = await fetch(`${origin}/mcp`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${apiKey}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: {
              protocolVersion: '2025-03-26',
              capabilities: {},
              clientInfo: { name: 'careless', version: '1' },
            },
          }),
        });
        await response.text();
        return { status: response.status, session: response.headers.get('mcp-session-id') };
      };
      const quietSession = await initialize(quiet);
      expect(quietSession.status).toBe(200);
      // The node's 1000 sessions, and more: the flooding key is never refused, nor is the quiet one.
      const statuses: number[] = [];
      for (let batch = 0; batch < 11; batch++)
        for (const opened of await Promise.all(
          Array.from({ length: 100 }, () => initialize(flood)),
        ))
          statuses.push(opened.status);
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
      expect((await initialize(quiet)).status).toBe(200);
      // The quiet key's first session was kept: the room came out of the flooding key's own.
      const listed = await fetch(`${origin}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${quiet}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': quietSession.session!,
          'mcp-protocol-version': '2025-03-26',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
      expect(listed.status).toBe(200);
      expect(await listed.text()).toContain('"tools"');
    } finally {
      await app.destroy();
    }
  }, 120_000);
});
