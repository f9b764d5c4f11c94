/**
 * The server's own log stays clean through ordinary streaming traffic: an operator who sees a warning
 * should be able to act on it. (A streaming handler once made every stream log "Reply was already sent".)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModel } from '../helpers/scripted-model.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';

describe('server log under streaming traffic', () => {
  let upstream: ScriptedModel;
  let server: ServerProcess;
  let directory: string;

  beforeAll(async () => {
    upstream = await startScriptedModel();
    directory = mkdtempSync(join(tmpdir(), 'concierge-logs-'));
    server = await startServerProcess({
      CONCIERGE_DATABASE_URL: `sqlite:${join(directory, 'logs.db')}`,
      CONCIERGE_DATA_DIR: directory,
      CONCIERGE_PROVIDER_BASE_URL: upstream.url,
      CONCIERGE_LOG_LEVEL: 'warn',
      CONCIERGE_API_KEY: 'sk-admin-logs-test',
    });
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await upstream.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('writes no warnings or errors for streamed runs, thread-and-runs and tool outputs', async () => {
    const client = new OpenAI({
      baseURL: server.baseURL,
      apiKey: 'sk-admin-logs-test',
      maxRetries: 0,
    });
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'lookup', parameters: { type: 'object', properties: {} } },
      },
    ];
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o', tools });
    upstream.enqueue(
      { text: 'Hello there.' },
      { toolCalls: [{ name: 'lookup', arguments: {} }] },
      { text: 'Found it.' },
    );

    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(
      (await client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id }).finalRun())
        .status,
    ).toBe('completed');
    const paused = await client.beta.threads
      .createAndRunStream({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content: 'Look it up' }] },
      })
      .finalRun();
    expect(paused.status).toBe('requires_action');
    const call = paused.required_action!.submit_tool_outputs.tool_calls[0]!;
    const done = await client.beta.threads.runs
      .submitToolOutputsStream(paused.id, {
        thread_id: paused.thread_id,
        tool_outputs: [{ tool_call_id: call.id, output: '42' }],
      })
      .finalRun();
    expect(done.status).toBe('completed');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const complaints = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((entry) => entry.level >= 40);
    expect(complaints.map((entry) => entry.msg)).toEqual([]);
  });
});
