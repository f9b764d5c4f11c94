/** A stdio MCP server (official SDK) with one tool, `shout`, for the connector's stdio test. */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'stdio-tools', version: '1.0.0' });
server.registerTool(
  'shout',
  { description: 'Upper-cases a text.', inputSchema: { text: z.string() } },
  async ({ text }) => ({
    content: [{ type: 'text', text: text.toUpperCase() }],
  }),
);
await server.connect(new StdioServerTransport());
