/**
 * The MCP client: lists a server's tools and calls one, over Streamable HTTP to a remote server or
 * stdio to a server the operator declared (`stdio:<name>`). Each operation opens its own session and
 * closes it, so nothing of one run's server stays open for another. Every request has a deadline, and
 * what comes back is cut to a size: remote HTTP goes through the `fetch` it is given (allowlist,
 * redirects and DNS checked, bodies capped: see `composition/mcp.ts`).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { InvalidRequestError } from '../../domain/errors.ts';
import type { McpCallError, McpListedTool } from '../../domain/mcp-tool.ts';
import { McpServerError, type McpConnector, type McpServerTarget } from '../mcp-port.ts';
import { cleanText } from './untrusted-output.ts';

/** A server the operator declared, run as a child process that speaks MCP on stdio. */
export interface StdioServerConfig {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface McpConnectorOptions {
  /** The network for remote servers, with the allowlist and caps applied. */
  fetch: typeof fetch;
  /** Throws (a 400-class error) when a remote URL may not be contacted at all. */
  checkUrl(url: URL): void;
  stdioServers: Record<string, StdioServerConfig>;
  /** Deadline of one listing or call, connection included. */
  timeoutMs: number;
  /** Most characters of a tool's output kept (before fitting to the context). */
  maxOutputCharacters: number;
}

const STDIO = 'stdio:';
const MAX_DESCRIPTION = 4096;
/**
 * The most tools taken from one server's listing. A listing is stored with the response and offered
 * to the model, so a server listing thousands would fill both; `allowed_tools` cannot pick from
 * beyond the cap, so a larger listing is refused as a whole rather than silently cut.
 */
export const MAX_LISTED_TOOLS = 1000;

function asError(error: unknown): McpCallError {
  if (error instanceof McpError)
    return {
      type: 'mcp_protocol_error',
      code: error.code,
      message: cleanText(error.message, 1000),
    };
  if (error instanceof StreamableHTTPError)
    return {
      type: 'http_error',
      code: error.code ?? 0,
      message: cleanText(error.message, 1000),
    };
  const message = error instanceof Error ? error.message : String(error);
  return { type: 'mcp_protocol_error', code: -32000, message: cleanText(message, 1000) };
}

function errorText(error: McpCallError): string {
  return error.type === 'mcp_tool_execution_error'
    ? JSON.stringify(error.content)
    : `${error.message} (${error.type} ${error.code})`;
}

/** The text of a tool result's content (text parts; other parts named). */
function contentText(content: unknown, structured: unknown): string {
  const parts = Array.isArray(content) ? (content as Array<Record<string, unknown>>) : [];
  const texts = parts.map((part) => {
    if (part['type'] === 'text') return String(part['text'] ?? '');
    if (part['type'] === 'resource') {
      const resource = part['resource'] as Record<string, unknown> | undefined;
      return typeof resource?.['text'] === 'string'
        ? resource['text']
        : `[resource ${String(resource?.['uri'] ?? '')}]`;
    }
    if (part['type'] === 'resource_link') return `[resource ${String(part['uri'] ?? '')}]`;
    return `[${String(part['type'])} ${String(part['mimeType'] ?? '')}]`.replace(' ]', ']');
  });
  if (texts.length === 0 && structured !== undefined) return JSON.stringify(structured);
  return texts.join('\n');
}

export function createMcpConnector(options: McpConnectorOptions): McpConnector {
  function transportFor(target: McpServerTarget): Transport {
    if (target.url.startsWith(STDIO)) {
      const name = target.url.slice(STDIO.length);
      const server = Object.hasOwn(options.stdioServers, name)
        ? options.stdioServers[name]
        : undefined;
      if (!server)
        throw new McpServerError(
          `There is no stdio MCP server named '${name}' on this server (the operator declares them in mcpServers).`,
        );
      return new StdioClientTransport({
        command: server.command,
        ...(server.args ? { args: server.args } : {}),
        ...(server.env ? { env: server.env } : {}),
        ...(server.cwd ? { cwd: server.cwd } : {}),
        stderr: 'ignore',
      });
    }
    const url = new URL(target.url);
    options.checkUrl(url);
    return new StreamableHTTPClientTransport(url, {
      fetch: options.fetch,
      // Every hop goes through `fetch`, which checks it against the allowlist.
      redirectPolicy: 'follow',
      requestInit: { headers: target.headers },
    });
  }

  async function withClient<T>(
    target: McpServerTarget,
    signal: AbortSignal,
    work: (client: Client, request: { signal: AbortSignal; timeout: number }) => Promise<T>,
  ): Promise<T> {
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]);
    const request = { signal: deadline, timeout: options.timeoutMs };
    const client = new Client({ name: 'concierge', version: '1' }, { capabilities: {} });
    const transport = transportFor(target);
    try {
      await client.connect(transport, request);
      return await work(client, request);
    } finally {
      await client.close().catch(() => undefined);
    }
  }

  return {
    async listTools(target, signal) {
      try {
        return await withClient(target, signal, async (client, request) => {
          const tools: McpListedTool[] = [];
          let cursor: string | undefined;
          // A server that pages forever is cut off after 10 pages.
          for (let page = 0; page < 10; page++) {
            const listed = await client.listTools(cursor ? { cursor } : {}, request);
            if (tools.length + listed.tools.length > MAX_LISTED_TOOLS)
              throw new McpServerError(
                `The MCP server '${target.label}' lists more than ${MAX_LISTED_TOOLS} tools; Concierge takes at most ${MAX_LISTED_TOOLS} from one server.`,
              );
            for (const tool of listed.tools)
              tools.push({
                name: tool.name,
                description:
                  tool.description === undefined
                    ? null
                    : cleanText(tool.description, MAX_DESCRIPTION),
                input_schema: tool.inputSchema as Record<string, unknown>,
                annotations: (tool.annotations as Record<string, unknown> | undefined) ?? null,
              });
            cursor = listed.nextCursor;
            if (!cursor) break;
          }
          return tools;
        });
      } catch (error) {
        if (error instanceof McpServerError || error instanceof InvalidRequestError) throw error;
        const described = asError(error);
        throw new McpServerError(
          `Error retrieving tool list from MCP server '${target.label}': ${errorText(described)}`,
          { cause: error },
        );
      }
    },

    async callTool(target, name, args, signal) {
      try {
        return await withClient(target, signal, async (client, request) => {
          const result = await client.callTool({ name, arguments: args }, undefined, request);
          const text = cleanText(
            contentText(result.content, result.structuredContent),
            options.maxOutputCharacters,
          );
          if (result.isError)
            return {
              output: null,
              error: { type: 'mcp_tool_execution_error' as const, content: text },
            };
          return { output: text, error: null };
        });
      } catch (error) {
        signal.throwIfAborted();
        return { output: null, error: asError(error) };
      }
    },
  };
}
