/**
 * How deep a chain of delegations may go, and how that depth crosses the A2A boundary. A run a person
 * started is level 0; a run a service agent started for it is one level deeper. Between Concierge
 * servers (or a server and itself) the level travels in the `Concierge-Delegation-Depth` header, which
 * Concierge's A2A client sets and its A2A server enforces. A request without the header is level 0 (a
 * caller that is not Concierge); the header can only add depth to what the server knows, never remove it.
 */
import type { RunOptions } from '../domain/run.ts';

/** The deepest level a delegated run may have. */
export const MAX_DELEGATION_DEPTH = 3;

/** The header that carries the level of the run a request asks to start. */
export const DELEGATION_DEPTH_HEADER = 'Concierge-Delegation-Depth';

/** The level of a run a service agent starts on behalf of a run with `options`. */
export function childDelegationDepth(options: RunOptions): number {
  return (options.parent?.depth ?? 0) + 1;
}

/** Why a delegation to `agentName` at `depth` may not happen, or undefined when it may. */
export function delegationTooDeep(agentName: string, depth: number): string | undefined {
  return depth > MAX_DELEGATION_DEPTH
    ? `Delegation is limited to ${MAX_DELEGATION_DEPTH} levels; '${agentName}' would be level ${depth}.`
    : undefined;
}

/**
 * The level a request's header claims: 0 without the header, undefined when it is not one whole
 * number (a repeated header, a sign, a fraction: refused rather than guessed).
 */
export function parseDelegationDepth(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return 0;
  if (typeof header !== 'string' || !/^\s*\d{1,6}\s*$/.test(header)) return undefined;
  return Number(header.trim());
}
