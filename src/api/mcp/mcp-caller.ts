/**
 * What a tool call over MCP knows about its caller: the project key, the MCP client, and the ways to
 * talk back to it during the call (progress notifications, elicitation), when the client allows them.
 */

/** A person's answer asked through MCP elicitation; undefined when the client cannot ask. */
export type ApprovalAnswer = { approved: boolean; reason: string | null } | undefined;

export interface McpCaller {
  projectId: string;
  /** The project key of the session (null for the admin key or dev mode): recorded on approvals. */
  keyId: string | null;
  /** `name version` of the MCP client, as it introduced itself. */
  client: string;
  /** Aborted when the client cancels the call or goes away. */
  signal: AbortSignal;
  /** Sends a progress notification when the client asked for them (a `progressToken`). */
  progress(message: string): void;
  /** Asks the person through the client (MCP elicitation); undefined when the client cannot. */
  askApproval(message: string): Promise<ApprovalAnswer>;
}

/** The reason recorded for an answer given through an MCP client. */
export function approvalReason(caller: McpCaller, answer: { reason: string | null }): string {
  const through = `answered through the MCP client ${caller.client}`;
  return answer.reason ? `${answer.reason} (${through})` : through;
}
