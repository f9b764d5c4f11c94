/** Service agents (an extension of the API): create, retrieve, update, delete, list; and their action log. */
import { nowSeconds } from '../../domain/clock.ts';
import { InvalidRequestError, NotFoundError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { PageParams } from '../../domain/list-page.ts';
import type { ServiceAgent } from '../../domain/service-agent.ts';
import type { BuiltinServiceAgent } from '../../service-agents/builtin-agent.ts';
import type { DirectAgentCalls } from '../../service-agents/direct-call.ts';
import { resolveAction } from '../../service-agents/resolve-action.ts';
import {
  checkInputSchema,
  DEFAULT_INPUT_SCHEMA,
  RESERVED_TOOL_NAMES,
} from '../../service-agents/service-agent-tool.ts';
import {
  ServiceAgentNameTakenError,
  type ActionFilter,
} from '../../storage/ports/service-agents-port.ts';
import type { Store } from '../../storage/store.ts';
import type {
  ActionApprovalParams,
  ActionResolutionParams,
  ServiceAgentCreateParams,
  ServiceAgentUpdateParams,
} from './service-agents.schemas.ts';

export interface ServiceAgentsServiceOptions {
  store: Store;
  builtins: BuiltinServiceAgent[];
  /** Refuses remote agent URLs outside the allowlist (throws an InvalidRequestError). */
  checkRemoteUrl: (url: string) => void;
  /** Answers actions proposed outside a run (over MCP). */
  directCalls: DirectAgentCalls;
}

function checkName(name: string): void {
  if (RESERVED_TOOL_NAMES.includes(name))
    throw new InvalidRequestError(
      `'${name}' is reserved for a built-in tool; choose another name.`,
      'name',
    );
}

async function save<Result>(work: () => Promise<Result>, name: string): Promise<Result> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ServiceAgentNameTakenError)
      throw new InvalidRequestError(
        `A service agent named '${name}' already exists in this project.`,
        'name',
      );
    throw error;
  }
}

export function createServiceAgentsService({
  store,
  builtins,
  checkRemoteUrl,
  directCalls,
}: ServiceAgentsServiceOptions) {
  async function retrieve(projectId: string, id: string): Promise<ServiceAgent> {
    const agent = await store.serviceAgents.find(projectId, id);
    if (!agent) throw NotFoundError.object('service agent', id, 'service_agent_id');
    return agent;
  }

  return {
    retrieve,

    async create(projectId: string, params: ServiceAgentCreateParams): Promise<ServiceAgent> {
      checkName(params.name);
      let description = params.description;
      let schema = params.input_schema;
      if (params.kind === 'builtin') {
        const builtin = builtins.find((candidate) => candidate.builtin === params.builtin);
        if (!builtin) {
          throw new InvalidRequestError(
            `Unknown built-in '${params.builtin ?? ''}'. Available: ${builtins.map((candidate) => candidate.builtin).join(', ') || 'none'}.`,
            'builtin',
          );
        }
        description ??= builtin.description;
        schema ??= builtin.inputSchema;
      } else if (params.builtin !== undefined) {
        throw new InvalidRequestError(`'builtin' applies only to kind 'builtin'.`, 'builtin');
      }
      if (params.kind === 'assistant') {
        if (!params.assistant_id)
          throw new InvalidRequestError(
            "Missing required parameter: 'assistant_id' (kind 'assistant').",
            'assistant_id',
          );
        const assistant = await store.assistants.find(projectId, params.assistant_id);
        if (!assistant)
          throw NotFoundError.object('assistant', params.assistant_id, 'assistant_id');
        description ??=
          assistant.description ??
          assistant.name ??
          `Delegates the task to assistant ${assistant.id}.`;
      } else if (params.assistant_id !== undefined) {
        throw new InvalidRequestError(
          `'assistant_id' applies only to kind 'assistant'.`,
          'assistant_id',
        );
      }
      if (params.kind === 'a2a') {
        if (!params.url)
          throw new InvalidRequestError("Missing required parameter: 'url' (kind 'a2a').", 'url');
        checkRemoteUrl(params.url);
        description ??= `A remote agent (${new URL(params.url).host}).`;
      } else if (params.url !== undefined) {
        throw new InvalidRequestError(`'url' applies only to kind 'a2a'.`, 'url');
      }
      schema ??= DEFAULT_INPUT_SCHEMA;
      checkInputSchema(schema);
      const agent: ServiceAgent = {
        id: newId('serviceAgent'),
        object: 'service_agent',
        created_at: nowSeconds(),
        name: params.name,
        description: description ?? '',
        kind: params.kind,
        input_schema: schema,
        policy: params.policy ?? {},
        metadata: params.metadata ?? {},
        builtin: params.kind === 'builtin' ? params.builtin! : null,
        assistant_id: params.assistant_id ?? null,
        url: params.url ?? null,
      };
      await save(() => store.serviceAgents.insert(projectId, agent), agent.name);
      return agent;
    },

    async update(
      projectId: string,
      id: string,
      params: ServiceAgentUpdateParams,
    ): Promise<ServiceAgent> {
      if (params.name !== undefined) checkName(params.name);
      if (params.input_schema !== undefined) checkInputSchema(params.input_schema);
      // Read and write under the agent's lock: concurrent updates do not undo each other, and a
      // policy change lands between spending decisions, never inside one.
      return store.transaction(async (transaction) => {
        const current = await transaction.serviceAgents.findForUpdate(projectId, id);
        if (!current) throw NotFoundError.object('service agent', id, 'service_agent_id');
        const updated: ServiceAgent = {
          ...current,
          ...(params.name !== undefined ? { name: params.name } : {}),
          ...(params.description !== undefined ? { description: params.description } : {}),
          ...(params.input_schema !== undefined ? { input_schema: params.input_schema } : {}),
          ...(params.policy !== undefined ? { policy: params.policy } : {}),
          ...(params.metadata !== undefined ? { metadata: params.metadata ?? {} } : {}),
        };
        await save(() => transaction.serviceAgents.update(projectId, updated), updated.name);
        return updated;
      });
    },

    async delete(projectId: string, id: string) {
      if (!(await store.serviceAgents.delete(projectId, id)))
        throw NotFoundError.object('service agent', id, 'service_agent_id');
      return { id, object: 'service_agent.deleted' as const, deleted: true };
    },

    list: (projectId: string, page: PageParams) => store.serviceAgents.list(projectId, page),

    listActions: (projectId: string, page: PageParams, filter: ActionFilter) =>
      store.serviceAgentActions.list(projectId, page, filter),

    /** One action of the audit log, with every status change it went through (`transitions`). */
    async retrieveAction(projectId: string, id: string) {
      const found = await store.serviceAgentActions.find(projectId, id);
      if (!found) throw NotFoundError.object('service agent action', id, 'action_id');
      const transitions = await store.serviceAgentActions.transitions(projectId, id);
      return { ...found.action, transitions };
    },

    /**
     * A person's answer to an action proposed outside a run: an approval is re-checked against the
     * policy and executed now, once. Answers the action as it ended, with what the agent said.
     */
    async answerAction(
      projectId: string,
      id: string,
      params: ActionApprovalParams,
      keyId: string | null,
    ) {
      // An approved execution runs to its end even if the caller goes away: stopping it halfway would
      // leave the action `executing` with its effect unknown.
      const signal = new AbortController().signal;
      const outcome = await directCalls.answer(projectId, id, params, keyId, { signal });
      const action = await this.retrieveAction(projectId, id);
      return { ...action, output: outcome.kind === 'done' ? outcome.output : null };
    },

    /**
     * A person's resolution of an action in `needs_review` (see `resolve-action.ts`). Answers the
     * action with its transitions.
     */
    async resolveAction(
      projectId: string,
      id: string,
      params: ActionResolutionParams,
      keyId: string | null,
    ) {
      await resolveAction(store, projectId, id, params, keyId);
      return this.retrieveAction(projectId, id);
    },
  };
}

export type ServiceAgentsService = ReturnType<typeof createServiceAgentsService>;
