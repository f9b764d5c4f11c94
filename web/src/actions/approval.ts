/**
 * Service-agent approvals reach the client as a `requires_action` function call named `approve_action`
 * whose arguments describe the proposal. The playground answers with a JSON tool output:
 * `{"approved": true}` or `{"approved": false, "reason": "…"}`.
 */
export const APPROVAL_FUNCTION_NAME = 'approve_action';

export function approvalOutput(approved: boolean, reason: string): string {
  const trimmed = reason.trim();
  return JSON.stringify(
    approved
      ? { approved: true, ...(trimmed ? { note: trimmed } : {}) }
      : { approved: false, reason: trimmed || 'Declined by the user.' },
  );
}

/** The proposal as an object; arguments that are not a JSON object are shown under `arguments`. */
export function parseProposal(argumentsText: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
    return { arguments: parsed };
  } catch {
    return { arguments: argumentsText };
  }
}

/** A one-line title for a proposal from the first of its usual descriptive fields. */
export function proposalTitle(proposal: Record<string, unknown>): string {
  for (const key of ['title', 'summary', 'description', 'action', 'kind', 'type']) {
    const value = proposal[key];
    if (typeof value === 'string' && value.trim()) return value;
  }
  return 'A service agent asks for approval';
}
