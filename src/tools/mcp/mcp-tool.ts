/**
 * The `mcp` server tool: each allowed tool of an MCP server is a function the model may call. A
 * call is checked again when it is made (the tool must be in the listing the run uses and in
 * `allowed_tools`), so a server whose list changes cannot get anything else called; a call that
 * `require_approval` covers waits for a person as an `approve_action` function call. Descriptions
 * and outputs reach the model fenced as untrusted data.
 */
import {
  isAllowedMcpTool,
  mcpCallNeedsApproval,
  type McpListedTool,
  type McpSecrets,
  type McpTool,
} from '../../domain/mcp-tool.ts';
import type { McpStepCall, Run, RunOptions } from '../../domain/run.ts';
import type { ModelTool } from '../../models/language-model.ts';
import type { SecretBox } from '../secret-box.ts';
import { ToolUnavailableError } from '../tool-unavailable-error.ts';
import type { ServerTool, ToolContext, ToolExecution } from '../tool.ts';
import { mcpTarget, type McpConnector, type McpServerTarget } from '../mcp-port.ts';
import { fenceUntrusted } from './untrusted-output.ts';

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
/** Live listings kept per run and server, so a run's later calls use the listing its model saw. */
const CACHED_LISTINGS = 500;

/** The name the model calls a server's tool by (OpenAI's function-name alphabet). */
export function modelToolName(name: string): string {
  return FUNCTION_NAME.test(name) ? name : name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || '_';
}

export interface McpToolOptions {
  connector: McpConnector;
  secrets: SecretBox;
}

interface Found {
  tool: McpTool;
  listed: McpListedTool;
}

function stepCall(callId: string, call: McpStepCall) {
  return { id: callId, type: 'mcp' as const, mcp: call };
}

function failed(
  callId: string,
  base: Pick<McpStepCall, 'server_label' | 'name' | 'arguments'>,
  message: string,
): ToolExecution {
  return {
    kind: 'completed',
    toolCall: stepCall(callId, {
      ...base,
      output: null,
      error: { type: 'mcp_protocol_error', code: -32602, message },
      status: 'failed',
    }),
    output: message,
  };
}

export function createMcpTool(options: McpToolOptions): ServerTool {
  const cache = new Map<string, McpListedTool[]>();

  function target(tool: McpTool, runOptions: RunOptions): McpServerTarget {
    const sealed = runOptions.mcp?.[tool.server_label]?.sealed;
    const secrets = sealed ? (JSON.parse(options.secrets.open(sealed)) as McpSecrets) : null;
    return mcpTarget(tool, secrets);
  }

  /** The listing a run uses for a server: its recorded one, else one listed now (and kept). */
  async function listing(
    tool: McpTool,
    run: Run,
    runOptions: RunOptions,
    signal: AbortSignal,
  ): Promise<McpListedTool[]> {
    const recorded = runOptions.mcp?.[tool.server_label]?.tools;
    if (recorded) return recorded;
    const key = `${run.id}\u0000${tool.server_label}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const listed = await options.connector.listTools(target(tool, runOptions), signal);
    cache.set(key, listed);
    if (cache.size > CACHED_LISTINGS) cache.delete(cache.keys().next().value!);
    return listed;
  }

  async function find(toolName: string, context: ToolContext): Promise<Found | undefined> {
    for (const tool of context.run.tools) {
      if (tool.type !== 'mcp') continue;
      const listed = await listing(tool, context.run, context.options, context.signal);
      const match = listed.find(
        (candidate) =>
          modelToolName(candidate.name) === toolName && isAllowedMcpTool(tool, candidate),
      );
      if (match) return { tool, listed: match };
    }
    return undefined;
  }

  async function call(
    callId: string,
    found: Found,
    argumentsText: string,
    context: ToolContext,
  ): Promise<ToolExecution> {
    const base = {
      server_label: found.tool.server_label,
      name: found.listed.name,
      arguments: argumentsText,
    };
    let args: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(argumentsText || '{}');
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('object');
      args = parsed as Record<string, unknown>;
    } catch {
      return failed(callId, base, 'The arguments must be a JSON object; fix them and call again.');
    }
    let serverTarget: McpServerTarget;
    try {
      serverTarget = target(found.tool, context.options);
    } catch (error) {
      return failed(callId, base, (error as Error).message);
    }
    const result = await options.connector.callTool(
      serverTarget,
      found.listed.name,
      args,
      context.signal,
    );
    const what = `Result of the tool '${found.listed.name}'`;
    const output =
      result.error === null
        ? fenceUntrusted(found.tool.server_label, what, result.output ?? '')
        : fenceUntrusted(
            found.tool.server_label,
            `The tool '${found.listed.name}' failed. Its error`,
            result.error.type === 'mcp_tool_execution_error'
              ? String(result.error.content)
              : result.error.message,
          );
    return {
      kind: 'completed',
      toolCall: stepCall(callId, {
        ...base,
        output: result.output,
        error: result.error,
        status: result.error ? 'failed' : 'completed',
      }),
      output,
    };
  }

  return {
    type: 'mcp',
    handles: () => false,

    async modelTools(tool, context): Promise<ModelTool[]> {
      if (tool.type !== 'mcp') return [];
      let listed: McpListedTool[];
      try {
        listed = await listing(tool, context.run, context.options, AbortSignal.timeout(60_000));
      } catch (error) {
        throw new ToolUnavailableError((error as Error).message);
      }
      return listed
        .filter((candidate) => isAllowedMcpTool(tool, candidate))
        .map((candidate) => ({
          name: modelToolName(candidate.name),
          description: fenceUntrusted(
            tool.server_label,
            `The description of the tool '${candidate.name}'`,
            candidate.description ?? '(none)',
          ),
          parameters:
            candidate.input_schema && candidate.input_schema['type'] === 'object'
              ? candidate.input_schema
              : { type: 'object', properties: {} },
        }));
    },

    begin(callId, toolName, argumentsText) {
      return stepCall(callId, {
        server_label: '',
        name: toolName,
        arguments: argumentsText,
        output: null,
        error: null,
        status: 'in_progress',
      });
    },

    async execute(callId, toolName, argumentsText, context) {
      let found: Found | undefined;
      try {
        found = await find(toolName, context);
      } catch (error) {
        return failed(
          callId,
          { server_label: '', name: toolName, arguments: argumentsText },
          (error as Error).message,
        );
      }
      if (!found)
        return failed(
          callId,
          { server_label: '', name: toolName, arguments: argumentsText },
          `The tool '${toolName}' is not an allowed tool of any MCP server of this run; nothing was called.`,
        );
      if (!mcpCallNeedsApproval(found.tool, found.listed))
        return call(callId, found, argumentsText, context);
      const request = {
        server_label: found.tool.server_label,
        name: found.listed.name,
        arguments: argumentsText,
      };
      return {
        kind: 'approval',
        toolCall: stepCall(callId, {
          ...request,
          output: null,
          error: null,
          status: 'awaiting_approval',
        }),
        arguments: {
          mcp_approval_request: request,
          how_to_answer:
            'Submit {"approved": true} to let the call run, or {"approved": false, "reason": "…"} to decline it.',
        },
      };
    },

    async resume(callId, toolName, argumentsText, answer, context) {
      const found = await find(toolName, context).catch(() => undefined);
      const base = {
        server_label: found?.tool.server_label ?? '',
        name: found?.listed.name ?? toolName,
        arguments: argumentsText,
      };
      if (!found)
        return failed(
          callId,
          base,
          `The tool '${toolName}' is no longer an allowed tool of this run; nothing was called.`,
        );
      let decision: { approved?: unknown; reason?: unknown } = {};
      try {
        decision = JSON.parse(answer.output) as typeof decision;
      } catch {
        // Anything but {"approved": true} declines.
      }
      if (decision.approved === true) return call(callId, found, argumentsText, context);
      const reason =
        typeof decision.reason === 'string' && decision.reason ? ` Reason: ${decision.reason}` : '';
      const output = `The user declined the call of '${found.listed.name}' on the MCP server '${found.tool.server_label}'; it was not made.${reason}`;
      return {
        kind: 'completed',
        toolCall: stepCall(callId, { ...base, output: null, error: null, status: 'declined' }),
        output,
      };
    },
  };
}
