/** Storage of service agents and of their actions (the audit log). */
import type { ListPage, PageParams } from '../../domain/list-page.ts';
import type {
  ActionStatus,
  ActionTransition,
  ServiceAgent,
  ServiceAgentAction,
  TransitionNote,
} from '../../domain/service-agent.ts';

/** Thrown by `insert`/`update` when another agent of the project already has the name. */
export class ServiceAgentNameTakenError extends Error {
  override name = 'ServiceAgentNameTakenError';
}

export interface ServiceAgentRepository {
  insert(projectId: string, agent: ServiceAgent): Promise<void>;
  find(projectId: string, id: string): Promise<ServiceAgent | undefined>;
  /**
   * The agent, locked until the enclosing transaction ends: the spending decisions of one agent and
   * changes to its policy happen one at a time, across processes. Call it inside `store.transaction`
   * (PostgreSQL: `SELECT … FOR UPDATE`; SQLite: every transaction already holds the write lock).
   */
  findForUpdate(projectId: string, id: string): Promise<ServiceAgent | undefined>;
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

/** What counts against an agent's per-period limit. */
export interface SpendingQuery {
  /** Executed actions count from this Unix time on. */
  sinceSeconds: number;
  /**
   * Whether actions pending approval count (they do for a new proposal; an approval or execution
   * re-check counts only approved and executing ones beside the spend).
   */
  countPending: boolean;
  /** An action to leave out: the one being re-checked. */
  excludeActionId?: string;
}

export interface ServiceAgentActionRepository {
  /**
   * Stores a new action with the private state its agent needs to execute it, and its first
   * transition. Throws InvalidActionTransitionError for a status an action cannot start in.
   */
  insert(
    projectId: string,
    action: ServiceAgentAction,
    state: Record<string, unknown> | undefined,
    note: TransitionNote,
  ): Promise<void>;
  find(
    projectId: string,
    id: string,
  ): Promise<
    { action: ServiceAgentAction; state: Record<string, unknown> | undefined } | undefined
  >;
  /**
   * The newest action of a tool call of a run. Tool call ids come from the model provider and are
   * not unique across runs (some providers number them `call_0`, `call_1`, … in every response).
   */
  findLatestForToolCall(
    projectId: string,
    runId: string,
    toolCallId: string,
  ): Promise<
    { action: ServiceAgentAction; state: Record<string, unknown> | undefined } | undefined
  >;
  /**
   * Writes `action` if its stored status is still `expected`, and logs the transition in the same
   * transaction; false when another writer moved it first. Throws InvalidActionTransitionError when
   * the status machine has no such transition.
   */
  compareAndSet(
    projectId: string,
    action: ServiceAgentAction,
    expected: ActionStatus,
    note: TransitionNote,
  ): Promise<boolean>;
  list(
    projectId: string,
    page: PageParams,
    filter: ActionFilter,
  ): Promise<ListPage<ServiceAgentAction>>;
  /** Dollars spent (executed since `sinceSeconds`) plus reserved (open actions) by the agent. */
  committed(projectId: string, serviceAgentId: string, query: SpendingQuery): Promise<number>;
  /** The agent's actions pending approval, with the status of their run (null when it is gone). */
  listPending(
    projectId: string,
    serviceAgentId: string,
  ): Promise<Array<{ action: ServiceAgentAction; runStatus: string | null }>>;
  /** Every status change of an action, oldest first. */
  transitions(projectId: string, actionId: string): Promise<ActionTransition[]>;
}
