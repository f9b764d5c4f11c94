/**
 * The MCP client port: list an MCP server's tools, call one. The Responses API lists a server before
 * its run starts; the `mcp` server tool lists (when the run has no listing) and calls. The adapter is
 * `tools/mcp/mcp-connector.ts` (Streamable HTTP and operator-declared stdio servers).
 */
import type { McpCallError, McpListedTool, McpSecrets, McpTool } from '../domain/mcp-tool.ts';

/** Where a server is and what to send it. */
export interface McpServerTarget {
  label: string;
  url: string;
  headers: Record<string, string>;
}

export interface McpCallResult {
  output: string | null;
  error: McpCallError | null;
}

export interface McpConnector {
  /** The server's tools; throws `McpServerError` when they cannot be listed. */
  listTools(target: McpServerTarget, signal: AbortSignal): Promise<McpListedTool[]>;
  /** Calls one tool; a failure is a result with `error`, not a throw. */
  callTool(
    target: McpServerTarget,
    name: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<McpCallResult>;
}

/** A server could not be reached, or refused to list its tools. */
export class McpServerError extends Error {
  override name = 'McpServerError';
}

/** What to send the server of `tool`: its URL, and its headers with the bearer `authorization`. */
export function mcpTarget(tool: McpTool, secrets: McpSecrets | null): McpServerTarget {
  const headers: Record<string, string> = { ...secrets?.headers };
  const named = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
  if (secrets?.authorization && !named)
    headers['Authorization'] = `Bearer ${secrets.authorization}`;
  return { label: tool.server_label, url: tool.server_url, headers };
}
