/**
 * `/mcp` (an extension): the project's service agents, assistants and vector stores as MCP tools, over
 * Streamable HTTP. Authentication is the API's own (a project key as a bearer, the same 401), so an
 * MCP client reaches exactly what the key reaches through `/v1`. POST carries JSON-RPC, GET opens the
 * session's stream for server messages, DELETE ends the session.
 */
import { defineRoute, type RouteDefinition } from '../../http/route.ts';
import type { McpSessions } from './mcp-sessions.ts';

export function mcpRoutes(sessions: McpSessions): RouteDefinition[] {
  const common = { path: '/mcp', tag: 'MCP', extension: true } as const;
  const handler: RouteDefinition['handler'] = ({ principal, request, reply, body }) =>
    sessions.handle(principal, request, reply, body);
  return [
    defineRoute({
      ...common,
      method: 'POST',
      operationId: 'postMcp',
      summary: 'MCP Streamable HTTP: JSON-RPC requests (initialize, tools/list, tools/call, …)',
      handler,
    }),
    defineRoute({
      ...common,
      method: 'GET',
      operationId: 'getMcp',
      summary: "MCP Streamable HTTP: the session's stream of server messages (SSE)",
      handler,
    }),
    defineRoute({
      ...common,
      method: 'DELETE',
      operationId: 'deleteMcp',
      summary: 'MCP Streamable HTTP: end the session',
      handler,
    }),
  ];
}
