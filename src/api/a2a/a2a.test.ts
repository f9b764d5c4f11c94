import { randomUUID } from 'node:crypto';
import { Message, TaskState, type StreamResponse, type Task } from '@a2a-js/sdk';
import {
  ClientFactory,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  type Client,
} from '@a2a-js/sdk/client';
import { TaskNotFoundError, UnsupportedOperationError } from '@a2a-js/sdk/errors';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../../test/helpers/inject.ts';
import { createA2aClient } from '../../service-agents/a2a/a2a-client.ts';
import { weatherTool } from '../../../test/helpers/run-test-bed.ts';
import { startScriptedModel, type ScriptedModel } from '../../../test/helpers/scripted-model.ts';
import { createListeningTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

const ADMIN = 'admin-key-for-a2a-tests';

function userMessage(parts: object[], ids: { taskId?: string; contextId?: string } = {}): Message {
  return Message.fromJSON({ messageId: randomUUID(), role: 'ROLE_USER', parts, ...ids });
}

function send(client: Client, message: Message, configuration?: { returnImmediately: boolean }) {
  return client.sendMessage({
    tenant: '',
    message,
    configuration: configuration
      ? {
          acceptedOutputModes: [],
          taskPushNotificationConfig: undefined,
          returnImmediately: configuration.returnImmediately,
        }
      : undefined,
    metadata: undefined,
  }) as Promise<Task>;
}

function answerOf(task: Task): string[] {
  return task.artifacts.flatMap((artifact) =>
    artifact.parts.flatMap((part) => (part.content?.$case === 'text' ? [part.content.value] : [])),
  );
}

describe('assistants served as A2A agents, driven by @a2a-js/sdk', () => {
  let app: TestApp;
  let upstream: ScriptedModel;
  let baseURL: string;
  let key: string;
  let otherKey: string;
  let openai: OpenAI;
  let assistantId: string;
  let client: Client;

  const cardUrl = (id: string) => `${baseURL}/a2a/${id}/.well-known/agent-card.json`;
  const connect = (id: string, apiKey: string) => {
    const authorized: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${apiKey}`);
      return fetch(input, { ...init, headers });
    };
    const factory = new ClientFactory({
      transports: [new JsonRpcTransportFactory({ fetchImpl: authorized })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl: authorized }),
    });
    return factory.createFromUrl(cardUrl(id), '');
  };

  beforeAll(async () => {
    upstream = await startScriptedModel();
    ({ app, baseURL } = await createListeningTestApp({
      config: { apiKey: ADMIN, providerBaseUrl: upstream.url, modelTimeoutSeconds: 5 },
    }));
    const admin = { authorization: `Bearer ${ADMIN}` };
    const projects = await Promise.all(
      ['travel', 'other'].map(
        async (name) =>
          (await request(app.server, 'POST', '/v1/organization/projects', { name }, admin)).body,
      ),
    );
    const keys = await Promise.all(
      projects.map(
        async (project) =>
          (
            await request(
              app.server,
              'POST',
              `/v1/organization/projects/${project.id}/api_keys`,
              { name: 'a2a' },
              admin,
            )
          ).body.value as string,
      ),
    );
    [key, otherKey] = keys as [string, string];
    openai = new OpenAI({ baseURL, apiKey: key, maxRetries: 0 });
    assistantId = (
      await openai.beta.assistants.create({
        model: 'gpt-4o',
        name: 'Trip planner',
        instructions: 'You plan trips. Be brief.',
        tools: [weatherTool],
      })
    ).id;
    client = await connect(assistantId, key);
  });
  afterAll(async () => {
    await app.destroy();
    await upstream.stop();
  });

  it('publishes a card per assistant: v1.0 with A2A-Version 1.0, v0.3 without it', async () => {
    const headers = { authorization: `Bearer ${key}` };
    const v1 = await request(
      app.server,
      'GET',
      `/v1/a2a/${assistantId}/.well-known/agent-card.json`,
      undefined,
      { ...headers, 'a2a-version': '1.0' },
    );
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({
      name: 'Trip planner',
      description: 'You plan trips. Be brief.',
      supportedInterfaces: [
        {
          url: `http://localhost:80/v1/a2a/${assistantId}`,
          protocolBinding: 'JSONRPC',
          protocolVersion: '1.0',
        },
        { protocolVersion: '0.3' },
      ],
      capabilities: { streaming: true },
      securitySchemes: { bearer: { httpAuthSecurityScheme: { scheme: 'Bearer' } } },
    });
    expect(v1.body.skills.map((skill: { id: string }) => skill.id)).toEqual([
      'assistant',
      'function:get_weather',
    ]);
    const legacy = await request(
      app.server,
      'GET',
      `/v1/a2a/${assistantId}/.well-known/agent-card.json`,
      undefined,
      headers,
    );
    expect(legacy.body).toMatchObject({
      protocolVersion: '0.3.0',
      url: `http://localhost:80/v1/a2a/${assistantId}`,
      preferredTransport: 'JSONRPC',
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    });
    expect(legacy.headers['vary']).toBe('A2A-Version');
  });

  it('runs the assistant on a message and returns the completed task with its answer', async () => {
    upstream.enqueue({ text: 'Pack an umbrella.' });
    const task = await send(
      client,
      userMessage([{ text: 'Weather in Paris?' }, { data: { dates: ['2026-05-01'] } }]),
    );
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(answerOf(task)).toEqual(['Pack an umbrella.']);
    // The task is a run of this assistant on a thread: the same objects the Assistants API shows.
    const run = await openai.beta.threads.runs.retrieve(task.id, { thread_id: task.contextId });
    expect(run).toMatchObject({ status: 'completed', assistant_id: assistantId });
    const messages = await openai.beta.threads.messages.list(task.contextId, { order: 'asc' });
    expect(messages.data.map((message) => message.role)).toEqual(['user', 'assistant']);
    const prompt = JSON.stringify(upstream.lastRequest.messages);
    expect(prompt).toContain('Weather in Paris?');
    expect(prompt).toContain('2026-05-01');
    // tasks/get reads the same task again.
    expect(answerOf(await client.getTask({ tenant: '', id: task.id }))).toEqual([
      'Pack an umbrella.',
    ]);
  });

  it('streams the task: submitted, working, the answer as an artifact, completed', async () => {
    upstream.enqueue({ text: 'Sunny all week.' });
    const events: StreamResponse[] = [];
    for await (const event of client.sendMessageStream({
      tenant: '',
      message: userMessage([{ text: 'Forecast?' }]),
      configuration: undefined,
      metadata: undefined,
    }))
      events.push(event);
    const kinds = events.map((event) =>
      event.payload?.$case === 'statusUpdate'
        ? `status:${event.payload.value.status?.state}`
        : event.payload?.$case,
    );
    expect(kinds).toEqual([
      'task',
      `status:${TaskState.TASK_STATE_WORKING}`,
      'artifactUpdate',
      `status:${TaskState.TASK_STATE_COMPLETED}`,
    ]);
    const artifact =
      events[2]!.payload?.$case === 'artifactUpdate'
        ? events[2]!.payload.value.artifact
        : undefined;
    expect(artifact?.parts.map((part) => part.content?.value)).toEqual(['Sunny all week.']);
  });

  it('continues a conversation in the same context, with the history reaching the model', async () => {
    upstream.enqueue({ text: 'Lisbon is lovely in May.' }, { text: 'Yes, take a jacket.' });
    const first = await send(client, userMessage([{ text: 'Where should I go in May?' }]));
    const second = await send(
      client,
      userMessage([{ text: 'Will it be cold?' }], { contextId: first.contextId }),
    );
    expect(second.contextId).toBe(first.contextId);
    expect(second.id).not.toBe(first.id);
    expect(answerOf(second)).toEqual(['Yes, take a jacket.']);
    expect(JSON.stringify(upstream.lastRequest.messages)).toContain('Lisbon is lovely in May.');
    // A finished task takes no more messages; the caller is told how to continue.
    const refused = await send(
      client,
      userMessage([{ text: 'And in June?' }], { taskId: second.id }),
    ).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnsupportedOperationError);
    expect((refused as Error).message).toContain(
      `send a new message with contextId '${first.contextId}'`,
    );
  });

  it('turns input-required for a function call, and the reply on the same task completes it', async () => {
    upstream.enqueue(
      { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' }, id: 'call_oslo' }] },
      { text: 'It is -3°C in Oslo.' },
    );
    const waiting = await send(client, userMessage([{ text: 'How cold is Oslo?' }]));
    expect(waiting.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const data = waiting.status?.message?.parts.flatMap((part) =>
      part.content?.$case === 'data' ? [part.content.value] : [],
    );
    expect(data).toEqual([
      {
        tool_calls: [
          {
            id: 'call_oslo',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
          },
        ],
      },
    ]);

    const done = await send(
      client,
      userMessage([{ data: { temperature_c: -3 } }], {
        taskId: waiting.id,
        contextId: waiting.contextId,
      }),
    );
    expect(done.id).toBe(waiting.id);
    expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(answerOf(done)).toEqual(['It is -3°C in Oslo.']);
    const toolMessage = upstream.lastRequest.messages.find(
      (message: { role: string }) => message.role === 'tool',
    );
    expect(toolMessage).toMatchObject({
      tool_call_id: 'call_oslo',
      content: '{"temperature_c":-3}',
    });
  });

  it('cancels a working task', async () => {
    upstream.enqueue({ text: 'word '.repeat(300), chunkDelayMs: 20 });
    let cancelled: Task | undefined;
    const states: TaskState[] = [];
    for await (const event of client.sendMessageStream({
      tenant: '',
      message: userMessage([{ text: 'Tell me a long story' }]),
      configuration: undefined,
      metadata: undefined,
    })) {
      if (event.payload?.$case !== 'statusUpdate') continue;
      states.push(event.payload.value.status!.state);
      if (event.payload.value.status!.state === TaskState.TASK_STATE_WORKING && !cancelled) {
        cancelled = await client.cancelTask({
          tenant: '',
          id: event.payload.value.taskId,
          metadata: undefined,
        });
      }
    }
    expect(cancelled?.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect(states.at(-1)).toBe(TaskState.TASK_STATE_CANCELED);
    const run = await openai.beta.threads.runs.retrieve(cancelled!.id, {
      thread_id: cancelled!.contextId,
    });
    expect(run.status).toBe('cancelled');
  });

  it('returns at once when asked to, and a subscriber follows the task to its end', async () => {
    upstream.enqueue({ text: 'word '.repeat(40), chunkDelayMs: 5 });
    const started = await send(client, userMessage([{ text: 'Take your time' }]), {
      returnImmediately: true,
    });
    expect([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING]).toContain(
      started.status?.state,
    );
    const events: StreamResponse[] = [];
    for await (const event of client.resubscribeTask({ tenant: '', id: started.id }))
      events.push(event);
    expect(events[0]?.payload?.$case).toBe('task');
    const last = events.at(-1)?.payload;
    const finalState =
      last?.$case === 'statusUpdate'
        ? last.value.status?.state
        : last?.$case === 'task'
          ? last.value.status?.state
          : undefined;
    expect(finalState).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(
      answerOf(await client.getTask({ tenant: '', id: started.id })).map((text) => text.trim()),
    ).toEqual(['word '.repeat(40).trim()]);
  });

  it("keeps tasks to their assistant and project: other ids are unknown tasks, other projects' assistants 404", async () => {
    await expect(client.getTask({ tenant: '', id: 'run_doesnotexist' })).rejects.toBeInstanceOf(
      TaskNotFoundError,
    );
    const otherAssistant = (await openai.beta.assistants.create({ model: 'gpt-4o', name: 'Other' }))
      .id;
    upstream.enqueue({ text: 'Hello from the other one.' });
    const otherTask = await send(await connect(otherAssistant, key), userMessage([{ text: 'hi' }]));
    await expect(client.getTask({ tenant: '', id: otherTask.id })).rejects.toBeInstanceOf(
      TaskNotFoundError,
    );

    const card = await request(
      app.server,
      'GET',
      `/v1/a2a/${assistantId}/.well-known/agent-card.json`,
      undefined,
      { authorization: `Bearer ${otherKey}` },
    );
    expect(card.status).toBe(404);
    expect(card.body.error.message).toBe(`No assistant found with id '${assistantId}'.`);
    const call = await request(
      app.server,
      'POST',
      `/v1/a2a/${assistantId}`,
      { jsonrpc: '2.0', id: 1, method: 'GetTask', params: { id: otherTask.id } },
      { authorization: `Bearer ${otherKey}` },
    );
    expect(call.status).toBe(404);
    await expect(connect(assistantId, otherKey)).rejects.toThrow(/404/);
    const anonymous = await request(
      app.server,
      'GET',
      `/v1/a2a/${assistantId}/.well-known/agent-card.json`,
      undefined,
      { authorization: '' },
    );
    expect(anonymous.status).toBe(401);
  });

  it('answers v0.3 clients (message/send, tasks/get) in the v0.3 wire format', async () => {
    upstream.enqueue({ text: 'Bonjour.' });
    const headers = { authorization: `Bearer ${key}` };
    const sent = await request(
      app.server,
      'POST',
      `/v1/a2a/${assistantId}`,
      {
        jsonrpc: '2.0',
        id: 'legacy-1',
        method: 'message/send',
        params: {
          message: {
            kind: 'message',
            messageId: randomUUID(),
            role: 'user',
            parts: [{ kind: 'text', text: 'Say hello in French' }],
          },
        },
      },
      headers,
    );
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      jsonrpc: '2.0',
      id: 'legacy-1',
      result: {
        kind: 'task',
        status: { state: 'completed' },
        artifacts: [{ parts: [{ kind: 'text', text: 'Bonjour.' }] }],
      },
    });
    const read = await request(
      app.server,
      'POST',
      `/v1/a2a/${assistantId}`,
      { jsonrpc: '2.0', id: 2, method: 'tasks/get', params: { id: sent.body.result.id } },
      headers,
    );
    expect(read.body.result).toMatchObject({
      id: sent.body.result.id,
      contextId: sent.body.result.contextId,
      status: { state: 'completed' },
    });
  });

  it('answers protocol mistakes with JSON-RPC errors and a malformed envelope with a 400', async () => {
    const headers = { authorization: `Bearer ${key}` };
    const unknownMethod = await request(
      app.server,
      'POST',
      `/v1/a2a/${assistantId}`,
      { jsonrpc: '2.0', id: 7, method: 'DoSomething', params: {} },
      headers,
    );
    expect(unknownMethod.status).toBe(200);
    expect(unknownMethod.body).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32601, message: 'Invalid method.' },
    });
    const file = await request(
      app.server,
      'POST',
      `/v1/a2a/${assistantId}`,
      {
        jsonrpc: '2.0',
        id: 8,
        method: 'SendMessage',
        params: {
          message: {
            messageId: 'm',
            role: 'ROLE_USER',
            parts: [
              { raw: Buffer.from('%PDF-1.4').toString('base64'), mediaType: 'application/pdf' },
            ],
          },
        },
      },
      headers,
    );
    expect(file.body.error.message).toMatch(
      /only png, jpeg, gif and webp images are accepted inline/,
    );
    const unknownContext = await request(
      app.server,
      'POST',
      `/v1/a2a/${assistantId}`,
      {
        jsonrpc: '2.0',
        id: 9,
        method: 'SendMessage',
        params: {
          message: {
            messageId: 'm',
            role: 'ROLE_USER',
            contextId: 'thread_nope',
            parts: [{ text: 'hi' }],
          },
        },
      },
      headers,
    );
    expect(unknownContext.body.error.message).toMatch(
      /contextId 'thread_nope' is not a conversation of this project/,
    );
    const malformed = await request(
      app.server,
      'POST',
      `/v1/a2a/${assistantId}`,
      { jsonrpc: '1.0', method: 'SendMessage' },
      headers,
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatchObject({ type: 'invalid_request_error', param: 'jsonrpc' });
  });

  it("is reachable with Concierge's own A2A client, over v1.0 and over v0.3", async () => {
    // A client that presents the key; the second one also hides its A2A-Version, as a v0.3 client does.
    const methods: string[] = [];
    const withKey =
      (hideVersion: boolean): typeof fetch =>
      (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${key}`);
        if (hideVersion) headers.delete('a2a-version');
        if (typeof init?.body === 'string')
          methods.push((JSON.parse(init.body) as { method: string }).method);
        return fetch(input, { ...init, headers });
      };
    for (const hideVersion of [false, true]) {
      const remote = createA2aClient({ allowedHosts: ['127.0.0.1'], fetch: withKey(hideVersion) });
      const url = `${baseURL}/a2a/${assistantId}`;
      const card = await remote.card(url);
      expect(card).toMatchObject({ name: 'Trip planner', url, streaming: true });
      upstream.enqueue(
        { toolCalls: [{ name: 'get_weather', arguments: { city: 'Rome' }, id: 'call_rome' }] },
        { text: 'Rome: 24°C.' },
      );
      const asked = await remote.send(
        url,
        { text: 'Weather in Rome?' },
        { signal: AbortSignal.timeout(10_000) },
      );
      expect(asked.state).toBe('input-required');
      expect(asked.data).toEqual([
        {
          tool_calls: [
            {
              id: 'call_rome',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
            },
          ],
        },
      ]);
      const done = await remote.send(
        url,
        { text: '24°C', taskId: asked.taskId, contextId: asked.contextId },
        { signal: AbortSignal.timeout(10_000) },
      );
      expect(done).toMatchObject({ taskId: asked.taskId, state: 'completed' });
      expect(done.artifacts.map((artifact) => artifact.text)).toEqual(['Rome: 24°C.']);
      expect(done.text).toContain('Rome: 24°C.');
    }
    // The first round spoke v1.0 and streamed; the second read the v0.3 card and used v0.3's names.
    expect(methods).toEqual([
      'SendStreamingMessage',
      'SendStreamingMessage',
      'message/stream',
      'message/stream',
    ]);
  });

  it('documents both routes in the served OpenAPI document as extensions', async () => {
    const document = (
      await request(app.server, 'GET', '/v1/openapi.json', undefined, {
        authorization: `Bearer ${key}`,
      })
    ).body;
    expect(document.paths['/v1/a2a/{assistant_id}'].post).toMatchObject({
      operationId: 'callAssistantAgent',
      'x-concierge-extension': true,
    });
    expect(document.paths['/v1/a2a/{assistant_id}/.well-known/agent-card.json'].get).toMatchObject({
      operationId: 'getAssistantAgentCard',
      'x-concierge-extension': true,
    });
  });
});
