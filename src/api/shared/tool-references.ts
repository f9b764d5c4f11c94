/**
 * Ids named inside `tools`: a `service_agent` tool must name a service agent of the caller's project.
 * Another project's agent answers the same 404 as an id that does not exist, so ids reveal nothing
 * across projects (the run engine would skip such a tool anyway; refusing it says so at once).
 */
import type { AssistantTool } from '../../domain/assistant.ts';
import { InvalidRequestError, NotFoundError } from '../../domain/errors.ts';
import type { Store } from '../../storage/store.ts';

/** Throws the 404 for the first `service_agent` tool whose agent is not in the project. */
export async function assertToolReferencesExist(
  store: Store,
  projectId: string,
  tools: readonly AssistantTool[] | null | undefined,
): Promise<void> {
  for (const [index, tool] of (tools ?? []).entries()) {
    if (tool.type === 'mcp' && (tool.headers || tool.authorization !== undefined))
      // Assistants and runs are stored as given: secrets would be kept in plain text.
      throw new InvalidRequestError(
        'An mcp tool on an assistant or a run cannot carry headers or authorization: they would be stored. Use a server that needs none, or the Responses API, which keeps them sealed (docs/mcp.md).',
        `tools[${index}].${tool.headers ? 'headers' : 'authorization'}`,
      );
    if (tool.type !== 'service_agent') continue;
    const id = tool.service_agent.id;
    if (!(await store.serviceAgents.find(projectId, id)))
      throw NotFoundError.object('service agent', id, `tools[${index}].service_agent.id`);
  }
}
