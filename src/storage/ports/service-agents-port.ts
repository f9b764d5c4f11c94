/** Storage of service agents and of their actions (the audit log). */
import type { ListPage, PageParams } from '../../domain/list-page.ts';
import type {
  ActionLease,
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

/** An action as stored, with what only the server sees: its agent's private state and its lease. */
export interface StoredAction {
  action: ServiceAgentAction;
  state: Record<string, unknown> | undefined;
  /** Set while the action is `executing` (and kept by `needs_review`: the attempt presumed dead). */
  lease: ActionLease | null;
}

/** What a compare-and-set writes of the lease, and which lease it expects. */
export interface LeaseWrite {
  /** The lease stored with the new status (null, or absent: none). */
  next?: ActionLease | null;
  /** The write happens only while the stored lease is this one (`expires_at_ms` optional). */
  expected?: { holder: string; expires_at_ms?: number };
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
  find(projectId: string, id: string): Promise<StoredAction | undefined>;
  /**
   * The newest action of a tool call of a run. Tool call ids come from the model provider and are
   * not unique across runs (some providers number them `call_0`, `call_1`, … in every response).
   */
  findLatestForToolCall(
    projectId: string,
    runId: string,
    toolCallId: string,
  ): Promise<StoredAction | undefined>;
  /**
   * Writes `action` if its stored status is still `expected` (and, with `lease.expected`, its lease is
   * still that one), with the lease `lease.next`, and logs the transition in the same transaction;
   * false when another writer moved it first. Throws InvalidActionTransitionError when the status
   * machine has no such transition.
   */
  compareAndSet(
    projectId: string,
    action: ServiceAgentAction,
    expected: ActionStatus,
    note: TransitionNote,
    lease?: LeaseWrite,
  ): Promise<boolean>;
  /**
   * Extends the lease of an `executing` action its holder still holds (the heartbeat); false when the
   * action ended or another party took it over, so the holder knows it lost the claim.
   */
  renewLease(
    projectId: string,
    actionId: string,
    holder: string,
    expiresAtMs: number,
  ): Promise<boolean>;
  /**
   * Hands an `executing` action whose lease `lapsed` expired before `nowMs` (or that has no lease, when
   * `lapsed` is null) to the lease `next`, and logs it as an `executing → executing` transition; false
   * when the lease is live, was renewed, or another party took it over first. Of any number of
   * concurrent callers with the same `lapsed`, exactly one gets true.
   */
  takeOver(
    projectId: string,
    action: ServiceAgentAction,
    lapsed: ActionLease | null,
    next: ActionLease,
    nowMs: number,
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
