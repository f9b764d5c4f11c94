/** What built-in service agents receive from the framework, for unit tests that call an agent directly. */
import { randomUUID } from 'node:crypto';
import type {
  AgentContext,
  AgentStepResult,
  ApprovedProposal,
} from '../../src/service-agents/builtin-agent.ts';

/** A context whose progress lines are kept in `progress`. */
export function agentContext(): AgentContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    projectId: 'proj_test',
    serviceAgentId: 'sa_test',
    runId: 'run_test',
    threadId: 'thread_test',
    signal: new AbortController().signal,
    progress: (text) => lines.push(text),
    lines,
  };
}

/** The proposal of a `prepare` result, approved as the framework would hand it to `execute` (a fresh id each time). */
export function approve(result: AgentStepResult): ApprovedProposal {
  if (result.kind !== 'proposal')
    throw new Error(
      `expected a proposal, got ${result.kind}: ${'output' in result ? result.output : ''}`,
    );
  // The framework stores the draft as JSON and reads it back: do the same, so nothing relies on live objects.
  return { id: `prop_${randomUUID()}`, draft: JSON.parse(JSON.stringify(result.proposal)) };
}
