/** Storage of service agents and of their actions (the audit log). */
import type { ListPage, PageParams } from '../../domain/list-page.ts';
import type { ActionStatus, ServiceAgent, ServiceAgentAction } from '../../domain/service-agent.ts';

/** Thrown by `insert`/`update` when another agent of the project already has the name. */
export class ServiceAgentNameTakenError extends Error {
  override name = 'ServiceAgentNameTakenError';
}

export interface ServiceAgentRepository {
  insert(projectId: string, agent: ServiceAgent): Promise<void>;
  find(projectId: string, id: string): Promise<ServiceAgent | undefined>;
  findByName(projectId: string, name: string): Promise<ServiceAgent | undefined>;
  update(projectId: string, agent: ServiceAgent): Promise<boolean>;
  delete(projectId: string, id: string): Promise<boolean>;
  list(projectId: string, page: PageParams): Promise<ListPage<ServiceAgent>>;
}

export interface ActionFilter {
  runId?: string;
  serviceAgentId?: string;
  status?: ActionStatus;
}

export interface ServiceAgentActionRepository {
  /** Stores a new action with the private state its agent needs to execute it. */
  insert(
    projectId: string,
    action: ServiceAgentAction,
    state: Record<string, unknown> | undefined,
  ): Promise<void>;
  find(
    projectId: string,
    id: string,
  ): Promise<
    { action: ServiceAgentAction; state: Record<string, unknown> | undefined } | undefined
  >;
  /** The newest action of a tool call. */
  findLatestForToolCall(
    projectId: string,
    toolCallId: string,
  ): Promise<
    { action: ServiceAgentAction; state: Record<string, unknown> | undefined } | undefined
  >;
  /** Writes `action` if its stored status is still `expected`; false when another writer moved it first. */
  compareAndSet(
    projectId: string,
    action: ServiceAgentAction,
    expected: ActionStatus,
  ): Promise<boolean>;
  list(
    projectId: string,
    page: PageParams,
    filter: ActionFilter,
  ): Promise<ListPage<ServiceAgentAction>>;
  /** Dollars the agent's executed actions moved since `sinceSeconds`. */
  spentSince(projectId: string, serviceAgentId: string, sinceSeconds: number): Promise<number>;
}
