/**
 * The `mcp` tool (OpenAI's `MCPTool`): a remote MCP server, or one the operator declared, whose tools
 * the model may call. Which tools it offers (`allowed_tools`) and which calls wait for a person
 * (`require_approval`) are decided here, from the tool object and the server's listing, so the
 * engine and both APIs decide the same way.
 *
 * Secrets (`headers`, `authorization`) never travel in these objects: a stored or shown tool has
 * each secret as `[redacted]`; the run keeps them sealed in its options (`RunOptions.mcp`).
 */

/** The value a stored or shown tool has in place of each secret. */
export const REDACTED = '[redacted]';

/** OpenAI's `MCPToolFilter`. */
export interface McpToolFilter {
  tool_names?: string[];
  read_only?: boolean;
}

export type McpApprovalSetting =
  'always' | 'never' | { always?: McpToolFilter; never?: McpToolFilter };

export interface McpTool {
  type: 'mcp';
  server_label: string;
  /** `http(s)://…`, or `stdio:<name>` for a server the operator declared. */
  server_url: string;
  server_description?: string;
  /** The header names the client gave, each value `[redacted]`. */
  headers?: Record<string, string> | null;
  /** `[redacted]` when the client gave one. */
  authorization?: string;
  allowed_tools?: string[] | McpToolFilter | null;
  require_approval?: McpApprovalSetting | null;
}

/** The secrets of an `mcp` tool, as the client gave them. */
export interface McpSecrets {
  headers: Record<string, string>;
  authorization: string | null;
}

/** One tool of a server's listing (OpenAI's `MCPListToolsTool`). */
export interface McpListedTool {
  name: string;
  description: string | null;
  input_schema: Record<string, unknown>;
  annotations: Record<string, unknown> | null;
}

/** The tool as given, split into what objects show (secrets redacted) and the secrets. */
export function splitMcpSecrets(tool: McpTool): { tool: McpTool; secrets: McpSecrets | null } {
  const headers = tool.headers ?? {};
  const names = Object.keys(headers);
  if (names.length === 0 && tool.authorization === undefined) return { tool, secrets: null };
  const shown: McpTool = { ...tool };
  if (tool.headers) shown.headers = Object.fromEntries(names.map((name) => [name, REDACTED]));
  if (tool.authorization !== undefined) shown.authorization = REDACTED;
  return {
    tool: shown,
    secrets: { headers: { ...headers }, authorization: tool.authorization ?? null },
  };
}

function matches(filter: McpToolFilter, tool: McpListedTool): boolean {
  if (filter.tool_names && !filter.tool_names.includes(tool.name)) return false;
  if (filter.read_only !== undefined) {
    const readOnly = tool.annotations?.['readOnlyHint'] === true;
    if (readOnly !== filter.read_only) return false;
  }
  return filter.tool_names !== undefined || filter.read_only !== undefined;
}

/** Whether the model may see and call `tool` (`allowed_tools`; unset allows every tool). */
export function isAllowedMcpTool(setting: McpTool, tool: McpListedTool): boolean {
  const allowed = setting.allowed_tools;
  if (allowed == null) return true;
  if (Array.isArray(allowed)) return allowed.includes(tool.name);
  return matches(allowed, tool);
}

/**
 * Whether a call of `tool` waits for a person. OpenAI's default is `always`; with a filter object,
 * a tool `never` matches runs without asking, and every other tool asks.
 */
export function mcpCallNeedsApproval(setting: McpTool, tool: McpListedTool): boolean {
  const approval = setting.require_approval ?? 'always';
  if (approval === 'always') return true;
  if (approval === 'never') return false;
  if (approval.never && matches(approval.never, tool)) return false;
  return true;
}

/** An MCP call's error, as OpenAI's `MCPToolCallError` types it. */
export type McpCallError =
  | { type: 'mcp_protocol_error'; code: number; message: string }
  | { type: 'mcp_tool_execution_error'; content: unknown }
  | { type: 'http_error'; code: number; message: string };

/** Arguments of the `approve_action` call through which a person approves an MCP call. */
export interface McpApprovalArguments {
  mcp_approval_request: { server_label: string; name: string; arguments: string };
  how_to_answer: string;
}

/** The MCP call an `approve_action` call asks about, or undefined for another approval. */
export function mcpApprovalOf(
  argumentsText: string,
): McpApprovalArguments['mcp_approval_request'] | undefined {
  try {
    const parsed = JSON.parse(argumentsText) as Partial<McpApprovalArguments>;
    const request = parsed.mcp_approval_request;
    if (
      request &&
      typeof request.server_label === 'string' &&
      typeof request.name === 'string' &&
      typeof request.arguments === 'string'
    )
      return request;
  } catch {
    // Not JSON: not ours.
  }
  return undefined;
}
