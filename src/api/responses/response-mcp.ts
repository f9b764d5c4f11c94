/**
 * The `mcp` tools of a response, before its run starts. Each server is listed once: a listing in
 * the response's history (an `mcp_list_tools` item of the `previous_response_id` chain, the
 * conversation, or the input) is reused; otherwise the server is listed now and the listing becomes
 * the response's first output item (with `error` when the server could not be listed: the model
 * then has none of its tools). The run keeps the listing it uses and the tool's secrets, sealed;
 * the response shows the secrets redacted.
 */
import { splitMcpSecrets, type McpListedTool } from '../../domain/mcp-tool.ts';
import { InvalidRequestError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { ResponseTool } from '../../domain/response.ts';
import type { ConversationItem, McpListToolsItem } from '../../domain/response-item.ts';
import type { RunOptions } from '../../domain/run.ts';
import { mcpTarget, type McpConnector } from '../../tools/mcp-port.ts';
import type { SecretBox } from '../../tools/secret-box.ts';
import type { ResponseCreateParams } from './responses.schemas.ts';

/** What the Responses API needs to reach MCP servers. */
export interface ResponseMcp {
  connector: McpConnector;
  secrets: SecretBox;
  /** Deadline of one listing. */
  timeoutMs: number;
}

export interface PreparedMcp {
  /** Per server label: the listing the run uses and the sealed secrets. */
  run: NonNullable<RunOptions['mcp']>;
  /** Listings made now: the response's first output items. */
  listings: McpListToolsItem[];
}

/** The latest listing of `label` in the history (one without an error). */
function listedBefore(history: ConversationItem[], label: string): McpListedTool[] | undefined {
  for (let index = history.length - 1; index >= 0; index--) {
    const item = history[index]!;
    if (item.type === 'mcp_list_tools' && item.server_label === label && !item.error)
      return item.tools;
  }
  return undefined;
}

/** Lists the servers the history has no listing of; seals each tool's secrets. */
export async function prepareMcp(
  mcp: ResponseMcp,
  tools: ResponseCreateParams['tools'],
  history: ConversationItem[],
  signal: AbortSignal,
): Promise<PreparedMcp> {
  const prepared: PreparedMcp = { run: {}, listings: [] };
  for (const [index, given] of (tools ?? []).entries()) {
    if (given.type !== 'mcp') continue;
    if (prepared.run[given.server_label])
      throw new InvalidRequestError(
        `Duplicate server_label '${given.server_label}': each mcp tool needs its own.`,
        `tools[${index}].server_label`,
      );
    const { tool, secrets } = splitMcpSecrets(given);
    const sealed = secrets ? mcp.secrets.seal(JSON.stringify(secrets)) : undefined;
    let listed = listedBefore(history, tool.server_label);
    if (!listed) {
      const item: McpListToolsItem = {
        type: 'mcp_list_tools',
        id: `mcpl_${newId('toolCall').slice('call_'.length)}`,
        server_label: tool.server_label,
        tools: [],
      };
      try {
        const deadline = AbortSignal.any([signal, AbortSignal.timeout(mcp.timeoutMs)]);
        item.tools = await mcp.connector.listTools(mcpTarget(tool, secrets), deadline);
      } catch (error) {
        if (error instanceof InvalidRequestError)
          throw new InvalidRequestError(error.message, `tools[${index}].server_url`, error.code);
        item.error = (error as Error).message;
      }
      prepared.listings.push(item);
      listed = item.tools;
    }
    prepared.run[tool.server_label] = { tools: listed, ...(sealed ? { sealed } : {}) };
  }
  return prepared;
}

/** The response's tools as objects show them: each `mcp` tool's secrets redacted. */
export function shownTools(tools: ResponseTool[]): ResponseTool[] {
  return tools.map((tool) => (tool.type === 'mcp' ? splitMcpSecrets(tool).tool : tool));
}
