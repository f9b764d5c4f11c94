/**
 * The `mcp` tool on an assistant (Concierge's Assistants extension), with the official SDK, a
 * scripted model and a real MCP server on loopback: a call is a run step tool call of type `mcp`
 * with its server label, name, arguments and output; a call that needs approval pauses the run on
 * an `approve_action` function call and runs once approved; secrets are refused on assistants
 * (they would be stored).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpTestServer, type McpTestServer } from '../helpers/mcp-test-server.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';

describe('the mcp tool on assistants', () => {
  let bed: RunTestBed;
  let client: OpenAI;
  let mcp: McpTestServer;

  beforeAll(async () => {
    mcp = await startMcpTestServer();
    bed = await createRunTestBed();
    client = bed.client;
    bed.upstream.respondWith((body) => {
      const last = body.messages.at(-1);
      if (last.role === 'tool') return { text: `Reported: ${last.content}` };
      return { toolCalls: [{ name: 'echo', arguments: { text: last.content } }] };
    });
  });
  afterAll(async () => {
    await bed.close();
    await mcp.close();
  });

  const mcpTool = (requireApproval: string) =>
    ({
      type: 'mcp',
      server_label: 'tools',
      server_url: mcp.url,
      allowed_tools: ['echo'],
      require_approval: requireApproval,
    }) as any;

  it('shows each call as an mcp tool call of a run step', async () => {
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [mcpTool('never')],
    });
    const run = await client.beta.threads.createAndRunPoll({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'hello' }] },
    });
    expect(run.status).toBe('completed');
    const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id });
    const calls = steps.data.flatMap((step) =>
      step.step_details.type === 'tool_calls' ? step.step_details.tool_calls : [],
    ) as any[];
    expect(calls).toEqual([
      expect.objectContaining({
        type: 'mcp',
        mcp: {
          server_label: 'tools',
          name: 'echo',
          arguments: JSON.stringify({ text: 'hello' }),
          output: 'echo: hello',
          error: null,
          status: 'completed',
        },
      }),
    ]);
    const messages = await client.beta.threads.messages.list(run.thread_id);
    const answer = messages.data[0]!.content[0];
    expect(answer?.type === 'text' ? answer.text.value : '').toContain('echo: hello');
  });

  it('asks through approve_action and calls the tool once approved', async () => {
    const before = mcp.calls['echo'] ?? 0;
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [mcpTool('always')],
    });
    const run = await client.beta.threads.createAndRunPoll({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'approve me' }] },
    });
    expect(run.status).toBe('requires_action');
    const [call] = run.required_action!.submit_tool_outputs.tool_calls;
    expect(call!.function.name).toBe('approve_action');
    expect(JSON.parse(call!.function.arguments)).toMatchObject({
      mcp_approval_request: { server_label: 'tools', name: 'echo' },
    });
    expect(mcp.calls['echo'] ?? 0).toBe(before);
    const done = await client.beta.threads.runs.submitToolOutputsAndPoll(run.id, {
      thread_id: run.thread_id,
      tool_outputs: [{ tool_call_id: call!.id, output: '{"approved": true}' }],
    });
    expect(done.status).toBe('completed');
    expect(mcp.calls['echo']).toBe(before + 1);
  });

  it('refuses headers on an assistant: they would be stored', async () => {
    const error = await client.beta.assistants
      .create({
        model: 'gpt-4o',
        tools: [{ ...mcpTool('never'), headers: { Authorization: 'Bearer x' } }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/headers/);
  });
});
