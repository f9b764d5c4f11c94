/**
 * A server tool the run asked for cannot run on this server as configured. The run fails with this
 * message (`last_error.code` `server_error`), which says what the operator must change; the model is
 * never called with a tool that would silently run somewhere weaker than promised.
 */
export class ToolUnavailableError extends Error {
  override name = 'ToolUnavailableError';
}
