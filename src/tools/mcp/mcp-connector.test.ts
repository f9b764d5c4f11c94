/**
 * The connector over stdio: a server the operator declared (here the official SDK's McpServer on
 * stdio) is listed and called by name; a name that was not declared is refused without starting
 * anything.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { McpServerError } from '../mcp-port.ts';
import { createMcpConnector } from './mcp-connector.ts';

const script = fileURLToPath(new URL('../../../test/helpers/mcp-stdio-server.ts', import.meta.url));

const connector = createMcpConnector({
  fetch: () => Promise.reject(new Error('no network in this test')),
  checkUrl: () => undefined,
  stdioServers: { shouter: { command: process.execPath, args: ['--import', 'tsx', script] } },
  timeoutMs: 20_000,
  maxOutputCharacters: 1000,
});
const target = (url: string) => ({ label: 'local', url, headers: {} });

describe('the MCP connector over stdio', () => {
  it('lists and calls a declared server', async () => {
    const tools = await connector.listTools(target('stdio:shouter'), AbortSignal.timeout(20_000));
    expect(tools.map((tool) => tool.name)).toEqual(['shout']);
    const result = await connector.callTool(
      target('stdio:shouter'),
      'shout',
      { text: 'hi' },
      AbortSignal.timeout(20_000),
    );
    expect(result).toEqual({ output: 'HI', error: null });
  });

  it('refuses a server the operator did not declare', async () => {
    await expect(
      connector.listTools(target('stdio:rm'), AbortSignal.timeout(1000)),
    ).rejects.toThrow(McpServerError);
  });
});
