/**
 * Concierge as an MCP client: the connector (Streamable HTTP through the A2A client's guards, with
 * `mcpAllowedHosts`, DNS answers checked, redirects checked hop by hop and bodies capped; stdio for
 * `mcpServers`), the secret box that seals tool headers, and the `mcp` server tool.
 */
import type { Config } from '../config/config-schema.ts';
import type { ResponseMcp } from '../api/responses/response-mcp.ts';
import { LOOPBACK_HOSTS } from '../service-agents/a2a/allowed-hosts.ts';
import { createDnsCheckedFetch } from '../service-agents/a2a/dns-checked-fetch.ts';
import { assertAllowed, createGuardedFetch } from '../service-agents/a2a/guarded-fetch.ts';
import { createHostAllowlist } from '../service-agents/a2a/host-allowlist.ts';
import { createMcpTool } from '../tools/mcp/mcp-tool.ts';
import { createSecretBox } from '../tools/secret-box.ts';
import type { ServerTool } from '../tools/tool.ts';
import type { McpConnector } from '../tools/mcp-port.ts';

/** The most characters of one tool output kept before it is fitted to the model's context. */
const MAX_OUTPUT_CHARACTERS = 100_000;

export interface McpClientPart {
  tool: ServerTool;
  /** What the Responses API uses to list servers before a run. */
  responses: ResponseMcp;
}

/** `mcpAllowedHosts` when set; otherwise loopback in dev mode, nothing on a server with keys. */
export function resolveMcpAllowedHosts(
  config: Pick<Config, 'mcpAllowedHosts' | 'apiKey'>,
): string[] {
  return config.mcpAllowedHosts ?? (config.apiKey ? [] : [...LOOPBACK_HOSTS]);
}

export function createMcpClientPart(
  config: Config,
  network: typeof fetch = globalThis.fetch,
): McpClientPart {
  const allowlist = createHostAllowlist(resolveMcpAllowedHosts(config));
  const settingName = 'mcpAllowedHosts';
  const guarded = createGuardedFetch({
    allowlist,
    fetch: createDnsCheckedFetch(network, allowlist, settingName),
    maxResponseBytes: config.mcpMaxResponseBytes,
    settingName,
    service: 'MCP',
  });
  const timeoutMs = config.mcpTimeoutSeconds * 1000;
  // The MCP SDK (its client, transports and zod schemas) loads with the first listing or call.
  let loaded: Promise<McpConnector> | undefined;
  const load = () =>
    (loaded ??= import('../tools/mcp/mcp-connector.ts').then(({ createMcpConnector }) =>
      createMcpConnector({
        fetch: guarded,
        checkUrl: (url) => assertAllowed(url, { allowlist, settingName, service: 'MCP' }),
        stdioServers: config.mcpServers,
        timeoutMs,
        maxOutputCharacters: MAX_OUTPUT_CHARACTERS,
      }),
    ));
  const connector: McpConnector = {
    listTools: async (target, signal) => (await load()).listTools(target, signal),
    callTool: async (target, name, args, signal) =>
      (await load()).callTool(target, name, args, signal),
  };
  const secrets = createSecretBox(config.secretsKey?.reveal());
  return {
    tool: createMcpTool({ connector, secrets }),
    responses: { connector, secrets, timeoutMs },
  };
}
