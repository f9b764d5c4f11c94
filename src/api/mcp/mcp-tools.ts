/**
 * A project's MCP tools: each service agent (built-in ones through the action flow, assistant-backed
 * ones as a run of their assistant), each assistant (`assistant_<id>`), and a search per vector store
 * (`search_<id>`). The list is read at each `tools/list`, so it follows the project as it changes.
 */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { ApiError } from '../../domain/errors.ts';
import type { ServiceAgent } from '../../domain/service-agent.ts';
import type { RunsEngine } from '../../engine/runs-engine.ts';
import type { DirectAgentCalls } from '../../service-agents/direct-call.ts';
import type { Store } from '../../storage/store.ts';
import type { VectorStoresService } from '../vector-stores/vector-stores.service.ts';
import { approvalReason, type McpCaller } from './mcp-caller.ts';
import { ASSISTANT_INPUT_SCHEMA, createAssistantCalls, errorResult } from './mcp-assistant-call.ts';

export interface McpToolsOptions {
  store: Store;
  runs: RunsEngine;
  directCalls: DirectAgentCalls;
  vectorStores: Pick<VectorStoresService, 'search'>;
}

/** The most assistants and vector stores listed (newest first); past that, use the API. */
const LIST_LIMIT = 100;

const SEARCH_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    query: { type: 'string', description: 'What to look for.' },
    max_num_results: { type: 'integer', minimum: 1, maximum: 50 },
  },
  required: ['query'],
  additionalProperties: false,
} as const;

function text(value: string, structured?: Record<string, unknown>): CallToolResult {
  return {
    content: [{ type: 'text', text: value }],
    ...(structured ? { structuredContent: structured } : {}),
  };
}

function taskText(input: Record<string, unknown>): string {
  const keys = Object.keys(input);
  if (keys.length === 1 && typeof input['task'] === 'string') return input['task'];
  return JSON.stringify(input, null, 2);
}

type Entry =
  | { kind: 'agent'; agent: ServiceAgent }
  | { kind: 'assistant'; assistantId: string }
  | { kind: 'search'; vectorStoreId: string };

export function createMcpTools({ store, runs, directCalls, vectorStores }: McpToolsOptions) {
  const assistants = createAssistantCalls({ store, runs });

  async function catalog(projectId: string): Promise<Array<{ tool: Tool; entry: Entry }>> {
    const page = { limit: LIST_LIMIT, order: 'desc' as const };
    const [agents, assistantPage, storePage] = await Promise.all([
      store.serviceAgents.list(projectId, { ...page, limit: 100 }),
      store.assistants.list(projectId, page),
      store.vectorStores.list(projectId, page, Math.floor(Date.now() / 1000)),
    ]);
    const tools: Array<{ tool: Tool; entry: Entry }> = [];
    for (const agent of agents.data) {
      // Remote (A2A) agents are reached by a run's service_agent tool, not over MCP.
      if (agent.kind === 'a2a') continue;
      tools.push({
        tool: {
          name: agent.name,
          description: agent.description,
          inputSchema: agent.input_schema as Tool['inputSchema'],
        },
        entry: { kind: 'agent', agent },
      });
    }
    for (const assistant of assistantPage.data)
      tools.push({
        tool: {
          name: `assistant_${assistant.id}`,
          title: assistant.name ?? assistant.id,
          description: `Talk to the assistant '${assistant.name ?? assistant.id}'${assistant.description ? `: ${assistant.description}` : ''}. Answers with its reply and the thread_id that continues the conversation.`,
          inputSchema: ASSISTANT_INPUT_SCHEMA as unknown as Tool['inputSchema'],
        },
        entry: { kind: 'assistant', assistantId: assistant.id },
      });
    for (const vectorStore of storePage.data) {
      if (vectorStore.status === 'expired') continue;
      tools.push({
        tool: {
          name: `search_${vectorStore.id}`,
          title: `Search ${vectorStore.name ?? vectorStore.id}`,
          description: `Searches the vector store '${vectorStore.name ?? vectorStore.id}' and answers the best-matching passages.`,
          inputSchema: SEARCH_INPUT_SCHEMA as unknown as Tool['inputSchema'],
        },
        entry: { kind: 'search', vectorStoreId: vectorStore.id },
      });
    }
    // A name taken twice (an agent named like an assistant tool) keeps its first owner only.
    const seen = new Set<string>();
    return tools.filter(({ tool }) => !seen.has(tool.name) && Boolean(seen.add(tool.name)));
  }

  async function callAgent(
    caller: McpCaller,
    agent: ServiceAgent,
    input: Record<string, unknown>,
  ): Promise<CallToolResult> {
    if (agent.kind === 'assistant') {
      const assistant = agent.assistant_id
        ? await store.assistants.find(caller.projectId, agent.assistant_id)
        : undefined;
      if (!assistant) return errorResult(`The assistant behind '${agent.name}' no longer exists.`);
      return assistants.call(caller, assistant, { message: taskText(input) });
    }
    const context = { signal: caller.signal, progress: (line: string) => caller.progress(line) };
    let outcome = await directCalls.call(caller.projectId, agent, JSON.stringify(input), context);
    let actionId: string | undefined;
    if (outcome.kind === 'ask') {
      const { action } = outcome;
      actionId = action.id;
      const answer = await caller.askApproval(
        `${agent.name} proposes: ${action.proposal.summary} (value $${action.proposal.value_usd}). Approve?`,
      );
      if (!answer)
        return text(
          [
            `'${agent.name}' proposes "${action.proposal.summary}", which needs a person's approval; nothing was done yet.`,
            `Approve or decline action ${action.id} with a key of this project: POST /v1/service_agents/actions/${action.id}/approval and {"approved": true} (or {"approved": false, "reason": "…"}); an approved action is carried out at once. It expires at ${action.proposal.expires_at} (Unix time).`,
          ].join('\n'),
          { status: 'pending_approval', action_id: action.id, proposal: action.proposal },
        );
      outcome = await directCalls.answer(
        caller.projectId,
        action.id,
        { approved: answer.approved, reason: approvalReason(caller, answer) },
        caller.keyId,
        context,
      );
    }
    if (outcome.kind === 'ask')
      return text(`'${agent.name}' asks again: ${outcome.action.proposal.summary}.`, {
        status: 'pending_approval',
        action_id: outcome.action.id,
      });
    const structured = {
      status: outcome.status,
      ...((outcome.actionId ?? actionId) ? { action_id: outcome.actionId ?? actionId } : {}),
    };
    return {
      ...text(outcome.output, structured),
      ...(outcome.status === 'completed' ? {} : { isError: true }),
    };
  }

  async function search(
    caller: McpCaller,
    vectorStoreId: string,
    input: Record<string, unknown>,
  ): Promise<CallToolResult> {
    if (typeof input['query'] !== 'string' || input['query'].trim() === '')
      return errorResult('query must be a non-empty string.');
    const max = Number(input['max_num_results'] ?? 10);
    const page = await vectorStores.search(caller.projectId, vectorStoreId, {
      query: input['query'],
      max_num_results: Number.isInteger(max) && max >= 1 && max <= 50 ? max : 10,
    });
    const passages = page.data.map(
      (result) =>
        `[${result.filename} · score ${result.score.toFixed(3)}]\n${result.content.map((part) => part.text).join('\n')}`,
    );
    return text(passages.join('\n\n') || 'No passages matched.', { results: page.data });
  }

  return {
    async list(projectId: string): Promise<Tool[]> {
      return (await catalog(projectId)).map(({ tool }) => tool);
    },

    /** Calls a tool; a failure the caller can act on is a tool error result, not a protocol error. */
    async call(
      caller: McpCaller,
      name: string,
      input: Record<string, unknown>,
    ): Promise<CallToolResult> {
      const found = (await catalog(caller.projectId)).find(({ tool }) => tool.name === name);
      if (!found) return errorResult(`There is no tool named '${name}' in this project.`);
      try {
        const { entry } = found;
        if (entry.kind === 'agent') return await callAgent(caller, entry.agent, input);
        if (entry.kind === 'search') return await search(caller, entry.vectorStoreId, input);
        const assistant = await store.assistants.find(caller.projectId, entry.assistantId);
        if (!assistant) return errorResult(`The assistant ${entry.assistantId} no longer exists.`);
        if (typeof input['message'] !== 'string' || input['message'] === '')
          return errorResult('message must be a non-empty string.');
        if (input['thread_id'] !== undefined && typeof input['thread_id'] !== 'string')
          return errorResult('thread_id must be a string.');
        return await assistants.call(caller, assistant, {
          message: input['message'],
          thread_id: input['thread_id'] as string | undefined,
        });
      } catch (error) {
        if (error instanceof ApiError && error.kind !== 'server' && error.kind !== 'unavailable')
          return errorResult(error.message);
        throw error;
      }
    },
  };
}

export type McpTools = ReturnType<typeof createMcpTools>;
