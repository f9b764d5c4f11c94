/**
 * The `mcp` tool in the Responses API, with the official SDK against a listening server, a scripted
 * model, and a real MCP server (the official SDK's `McpServer` over Streamable HTTP) on loopback:
 * the server is listed once (an `mcp_list_tools` item, reused through `previous_response_id`),
 * calls are `mcp_call` items with their output or error, `require_approval` ends a response on an
 * `mcp_approval_request` answered by an `mcp_approval_response`, a server that does not answer in
 * time gives an error, and a tool outside `allowed_tools` (or outside the listing) is never called.
 * Headers reach the server and are never shown back. A hostile server (a huge output, thousands of
 * tools, a description megabytes long, a listing that never answers) meets caps: the response ends
 * cleanly with the output cut or an error item, and the server stays healthy. Streamed events and objects validate against
 * the Open Responses standard (MCP parts against OpenAI's schemas).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpTestServer, type McpTestServer } from '../helpers/mcp-test-server.ts';
import {
  openResponsesSpecAvailable,
  validateResponseResource,
  validateStreamEvent,
} from '../helpers/open-responses-schema.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';

const checkConformance = openResponsesSpecAvailable || Boolean(process.env['CI']);
const ask = (name: string, args: object) => JSON.stringify({ tool: name, args });
const eventErrors = (event: unknown) => (checkConformance ? validateStreamEvent(event) : []);
const conformance = (response: unknown) =>
  checkConformance ? validateResponseResource(response) : [];

describe('the mcp tool in responses', () => {
  let bed: RunTestBed;
  let client: OpenAI;
  let mcp: McpTestServer;

  beforeAll(async () => {
    mcp = await startMcpTestServer();
    bed = await createRunTestBed({ config: { mcpTimeoutSeconds: 2 } });
    client = bed.client;
    // The user's message names the tool and its arguments as JSON; the model calls it, then
    // reports what it read. Any other message is answered in text.
    bed.upstream.respondWith((body) => {
      const last = body.messages.at(-1);
      if (last.role === 'tool') return { text: `Reported: ${last.content}` };
      if (!last.content.startsWith('{')) return { text: `No tool for: ${last.content}` };
      const asked = JSON.parse(last.content) as { tool: string; args: Record<string, unknown> };
      return { toolCalls: [{ name: asked.tool, arguments: asked.args }] };
    });
  });
  afterAll(async () => {
    await bed.close();
    await mcp.close();
  });

  function mcpTool(extra: Record<string, unknown> = {}): any {
    return {
      type: 'mcp',
      server_label: 'tools',
      server_url: mcp.url,
      headers: { Authorization: 'Bearer secret-xyz' },
      allowed_tools: ['add', 'echo', 'fail', 'slow'],
      require_approval: 'never',
      ...extra,
    };
  }

  it('lists the server once, calls a tool, and reuses the listing through previous_response_id', async () => {
    const lists = mcp.lists;
    const first = await client.responses.create({
      model: 'gpt-4o',
      input: ask('add', { a: 2, b: 3 }),
      tools: [mcpTool()],
    });
    expect(first.status).toBe('completed');
    expect(first.output.map((item) => item.type)).toEqual([
      'mcp_list_tools',
      'mcp_call',
      'message',
    ]);
    const listing = first.output[0] as OpenAI.Responses.ResponseOutputItem.McpListTools;
    expect(listing.server_label).toBe('tools');
    expect(listing.tools.map((listed) => listed.name).sort()).toEqual([
      'add',
      'delete_everything',
      'echo',
      'fail',
      'huge_output',
      'slow',
    ]);
    expect(first.output[1]).toMatchObject({
      type: 'mcp_call',
      server_label: 'tools',
      name: 'add',
      arguments: JSON.stringify({ a: 2, b: 3 }),
      output: '5',
      error: null,
      status: 'completed',
    });
    expect(first.output_text).toContain('5');
    expect(mcp.lists).toBe(lists + 1);
    // The headers reached the server, and are never shown back.
    expect(mcp.authorizations.at(-1)).toBe('Bearer secret-xyz');
    const stored = await client.responses.retrieve(first.id);
    expect(stored.tools[0]).toMatchObject({
      type: 'mcp',
      headers: { Authorization: '[redacted]' },
    });
    expect(JSON.stringify(stored)).not.toContain('secret-xyz');
    expect(conformance(stored)).toEqual([]);
    // The model saw only allowed tools, their descriptions fenced as untrusted data.
    const offered = bed.upstream.requests.at(-2)!.body.tools.map((entry: any) => entry.function);
    expect(offered.map((entry: any) => entry.name).sort()).toEqual(['add', 'echo', 'fail', 'slow']);
    const echo = offered.find((entry: any) => entry.name === 'echo');
    expect(echo.description).toMatch(/untrusted data[\s\S]*IGNORE ALL PREVIOUS/);

    const second = await client.responses.create({
      model: 'gpt-4o',
      previous_response_id: first.id,
      input: ask('echo', { text: 'again' }),
      tools: [mcpTool()],
    });
    expect(second.output.map((item) => item.type)).toEqual(['mcp_call', 'message']);
    expect(second.output[0]).toMatchObject({ name: 'echo', output: 'echo: again' });
    expect(mcp.lists).toBe(lists + 1);
  });

  it('streams the listing and the call with their events, each valid', async () => {
    const stream = client.responses.stream({
      model: 'gpt-4o',
      input: ask('echo', { text: 'streamed' }),
      tools: [mcpTool()],
    });
    const events: Array<{ type: string; sequence_number: number }> = [];
    for await (const event of stream) events.push(event);
    const response = await stream.finalResponse();
    const types = events.map((event) => event.type);
    const order = [
      'response.mcp_list_tools.in_progress',
      'response.mcp_list_tools.completed',
      'response.mcp_call.in_progress',
      'response.mcp_call_arguments.delta',
      'response.mcp_call_arguments.done',
      'response.mcp_call.completed',
      'response.completed',
    ].map((type) => types.indexOf(type));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    for (const event of events) expect(eventErrors(event)).toEqual([]);
    expect(response.output.map((item) => item.type)).toEqual([
      'mcp_list_tools',
      'mcp_call',
      'message',
    ]);
    expect(response.output_text).toContain('echo: streamed');
  });

  it('shows a failing tool as an mcp_call with its error, and a server that times out', async () => {
    const failed = await client.responses.create({
      model: 'gpt-4o',
      input: ask('fail', {}),
      tools: [mcpTool()],
    });
    expect(failed.output[1]).toMatchObject({
      type: 'mcp_call',
      name: 'fail',
      output: null,
      status: 'failed',
      error: { type: 'mcp_tool_execution_error', content: 'boom: the tool failed' },
    });
    expect(failed.status).toBe('completed');
    expect(conformance(failed)).toEqual([]);

    const slow = await client.responses.create({
      model: 'gpt-4o',
      input: ask('slow', {}),
      tools: [mcpTool()],
    });
    expect(slow.status).toBe('completed');
    expect(slow.output[1]).toMatchObject({
      type: 'mcp_call',
      name: 'slow',
      status: 'failed',
      error: { type: 'mcp_protocol_error', message: expect.stringMatching(/time/i) },
    });
  });

  it('asks for approval, and calls the tool only once approved', async () => {
    const echoes = mcp.calls['echo'] ?? 0;
    const approvalTool = mcpTool({ require_approval: { never: { tool_names: ['add'] } } });
    const first = await client.responses.create({
      model: 'gpt-4o',
      input: ask('echo', { text: 'approved?' }),
      tools: [approvalTool],
    });
    expect(first.status).toBe('completed');
    expect(first.output.map((item) => item.type)).toEqual([
      'mcp_list_tools',
      'mcp_approval_request',
    ]);
    const request = first.output[1] as OpenAI.Responses.ResponseOutputItem.McpApprovalRequest;
    expect(request).toMatchObject({
      server_label: 'tools',
      name: 'echo',
      arguments: JSON.stringify({ text: 'approved?' }),
    });
    expect(mcp.calls['echo'] ?? 0).toBe(echoes);
    expect(conformance(first)).toEqual([]);

    const second = await client.responses.create({
      model: 'gpt-4o',
      previous_response_id: first.id,
      input: [{ type: 'mcp_approval_response', approval_request_id: request.id, approve: true }],
      tools: [approvalTool],
    });
    expect(second.status).toBe('completed');
    expect(second.output.map((item) => item.type)).toEqual(['mcp_call', 'message']);
    expect(second.output[0]).toMatchObject({
      name: 'echo',
      output: 'echo: approved?',
      approval_request_id: request.id,
    });
    expect(mcp.calls['echo']).toBe(echoes + 1);
    expect(conformance(second)).toEqual([]);

    // Declined: nothing is called.
    const third = await client.responses.create({
      model: 'gpt-4o',
      input: ask('echo', { text: 'declined' }),
      tools: [approvalTool],
    });
    const declined = await client.responses.create({
      model: 'gpt-4o',
      previous_response_id: third.id,
      input: [
        {
          type: 'mcp_approval_response',
          approval_request_id: third.output[1]!.id!,
          approve: false,
          reason: 'not now',
        },
      ],
      tools: [approvalTool],
    });
    expect(declined.output_text).toMatch(/declined/);
    expect(mcp.calls['echo']).toBe(echoes + 1);
  });

  it('never calls a tool outside allowed_tools, nor one the server added after listing', async () => {
    const refused = await client.responses.create({
      model: 'gpt-4o',
      input: ask('delete_everything', {}),
      tools: [mcpTool()],
    });
    expect(refused.output.some((item) => item.type === 'mcp_call')).toBe(false);
    expect(refused.output_text).toMatch(/no tool named 'delete_everything'/);

    // A server that lists only safe tools, then offers a dangerous one when called.
    mcp.offerDangerous = false;
    const listed = await client.responses.create({
      model: 'gpt-4o',
      input: ask('add', { a: 1, b: 1 }),
      tools: [mcpTool({ allowed_tools: null })],
    });
    mcp.offerDangerous = true;
    const changed = await client.responses.create({
      model: 'gpt-4o',
      previous_response_id: listed.id,
      input: ask('delete_everything', {}),
      tools: [mcpTool({ allowed_tools: null })],
    });
    expect(changed.output.some((item) => item.type === 'mcp_call')).toBe(false);
    expect(mcp.calls['delete_everything'] ?? 0).toBe(0);
  });

  it('refuses a server outside mcpAllowedHosts with a 400', async () => {
    const error = await client.responses
      .create({
        model: 'gpt-4o',
        input: 'hi',
        tools: [mcpTool({ server_url: 'http://mcp.example.com/mcp' })],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(
      /mcpAllowedHosts/,
    );
  });
  async function healthy(): Promise<void> {
    const health = await fetch(`${bed.baseURL.replace(/\/v1$/, '')}/health`);
    expect(health.status).toBe(200);
  }

  describe('against a hostile server', () => {
    it('cuts a huge tool output, and refuses one larger than the body cap with an error item', async () => {
      mcp.hugeOutputCharacters = 2 * 1024 * 1024;
      const cut = await client.responses.create({
        model: 'gpt-4o',
        input: ask('huge_output', {}),
        tools: [mcpTool({ allowed_tools: ['huge_output'] })],
      });
      expect(cut.status).toBe('completed');
      const call = cut.output[1] as OpenAI.Responses.ResponseOutputItem.McpCall;
      expect(call).toMatchObject({ type: 'mcp_call', status: 'completed', error: null });
      expect(call.output!.length).toBeLessThan(101_000);
      expect(call.output).toMatch(/cut at 100000 characters/);

      mcp.hugeOutputCharacters = 6 * 1024 * 1024;
      const refused = await client.responses.create({
        model: 'gpt-4o',
        input: ask('huge_output', {}),
        tools: [mcpTool({ allowed_tools: ['huge_output'] })],
      });
      mcp.hugeOutputCharacters = 1000;
      expect(refused.status).toBe('completed');
      expect(refused.output[1]).toMatchObject({
        type: 'mcp_call',
        output: null,
        status: 'failed',
        error: { message: expect.stringMatching(/bytes|large/i) },
      });
      await healthy();
    });

    it('refuses a listing of thousands of tools with an error item, and cuts a huge description', async () => {
      mcp.bulkTools = 3000;
      const many = await client.responses.create({
        model: 'gpt-4o',
        input: 'hello',
        tools: [mcpTool({ allowed_tools: null })],
      });
      mcp.bulkTools = 0;
      expect(many.status).toBe('completed');
      expect(many.output[0]).toMatchObject({
        type: 'mcp_list_tools',
        tools: [],
        error: expect.stringMatching(/more than 1000 tools/),
      });
      // The model was offered none of that server's tools.
      expect(bed.upstream.requests.at(-1)!.body.tools ?? []).toEqual([]);

      mcp.verboseDescriptionCharacters = 2 * 1024 * 1024;
      const verbose = await client.responses.create({
        model: 'gpt-4o',
        input: 'hello',
        tools: [mcpTool({ allowed_tools: ['verbose'] })],
      });
      mcp.verboseDescriptionCharacters = 0;
      expect(verbose.status).toBe('completed');
      const listing = verbose.output[0] as OpenAI.Responses.ResponseOutputItem.McpListTools;
      const described = listing.tools.find((tool) => tool.name === 'verbose')!;
      expect(described.description!.length).toBeLessThan(5000);
      const offered = bed.upstream.requests.at(-1)!.body.tools[0].function;
      expect(offered.description.length).toBeLessThan(6000);
      await healthy();
    });

    it('gives a listing that never answers an error item once the deadline passes', async () => {
      mcp.hangListing = true;
      const response = await client.responses
        .create({ model: 'gpt-4o', input: 'hello', tools: [mcpTool()] })
        .finally(() => (mcp.hangListing = false));
      expect(response.status).toBe('completed');
      expect(response.output[0]).toMatchObject({
        type: 'mcp_list_tools',
        tools: [],
        error: expect.stringMatching(/time|abort/i),
      });
      expect(response.output_text).toBeTruthy();
      await healthy();
    });
  });
});
