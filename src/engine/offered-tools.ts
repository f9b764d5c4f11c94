/**
 * The tools a run offers its model: the client's functions as declared, and each enabled server tool's
 * model-facing tools; and which server tool answers each name the model may call.
 */
import type { ToolResources } from '../domain/assistant.ts';
import type { ModelTool } from '../models/language-model.ts';
import type { RunRecord } from '../domain/run-record.ts';
import type { ServerTool } from '../tools/tool.ts';
import { RunFailure } from './run-failure.ts';
import { unknownTool } from './unknown-tool.ts';

export interface OfferedTools {
  tools: ModelTool[];
  /** The server tool that answers `name`; undefined for the client's function tools. */
  toolFor(name: string): ServerTool | undefined;
}

/** Fails the run (`server_error`) when it enables a tool this server does not have. */
export async function offeredTools(
  serverTools: ServerTool[],
  record: RunRecord,
  toolResources: ToolResources,
): Promise<OfferedTools> {
  const tools: ModelTool[] = [];
  const byName = new Map<string, ServerTool>();
  for (const tool of record.run.tools) {
    if (tool.type === 'function') {
      tools.push({
        name: tool.function.name,
        ...(tool.function.description !== undefined
          ? { description: tool.function.description }
          : {}),
        parameters: tool.function.parameters ?? { type: 'object', properties: {} },
        ...(tool.function.strict != null ? { strict: tool.function.strict } : {}),
      });
      continue;
    }
    const server = serverTools.find((candidate) => candidate.type === tool.type);
    if (!server)
      throw new RunFailure(`The ${tool.type} tool is not available on this server.`, {
        status: 'failed',
        code: 'server_error',
      });
    for (const offered of await server.modelTools(tool, {
      projectId: record.projectId,
      run: record.run,
      options: record.options,
      toolResources,
    })) {
      tools.push(offered);
      byName.set(offered.name, server);
    }
  }
  const functions = new Set(
    record.run.tools.flatMap((tool) => (tool.type === 'function' ? [tool.function.name] : [])),
  );
  const toolFor = (name: string): ServerTool | undefined =>
    functions.has(name) ? undefined : (byName.get(name) ?? unknownTool);
  return { tools, toolFor };
}
