/**
 * Input items that answer the run before a response: `function_call_output` items for its function
 * calls, `mcp_approval_response` items for its MCP approval requests, checked against the history
 * and turned into the tool outputs the run reads.
 */
import { InvalidRequestError } from '../../domain/errors.ts';
import type { ConversationItem, InputItem } from '../../domain/response-item.ts';

/**
 * Checks that every `function_call_output` answers a call of the history, and every
 * `mcp_approval_response` an approval request of it (OpenAI's 400).
 */
export function checkOutputs(history: ConversationItem[], input: InputItem[]): void {
  const calls = new Set(
    [...history, ...input].flatMap((item) => (item.type === 'function_call' ? [item.call_id] : [])),
  );
  const requests = new Set(
    [...history, ...input].flatMap((item) =>
      item.type === 'mcp_approval_request' ? [item.id] : [],
    ),
  );
  for (const [index, item] of input.entries()) {
    if (item.type === 'function_call_output' && !calls.has(item.call_id))
      throw new InvalidRequestError(
        `No tool call found for function call output with call_id ${item.call_id}.`,
        `input[${index}].call_id`,
      );
    if (item.type === 'mcp_approval_response' && !requests.has(item.approval_request_id))
      throw new InvalidRequestError(
        `No MCP approval request found with id ${item.approval_request_id}.`,
        `input[${index}].approval_request_id`,
      );
  }
}

/** The run's tool call an input item answers (a function output, or an MCP approval). */
export function answeredCall(item: InputItem): string | undefined {
  if (item.type === 'function_call_output') return item.call_id;
  if (item.type === 'mcp_approval_response')
    return `call_${item.approval_request_id.replace(/^mcpr_/, '')}`;
  return undefined;
}

/** What the run reads as the answer of an input item (an approval as `approve_action` JSON). */
export function answerText(item: InputItem): string {
  if (item.type === 'mcp_approval_response')
    return JSON.stringify({
      approved: item.approve,
      ...(item.reason ? { reason: item.reason } : {}),
    });
  if (item.type !== 'function_call_output') return '';
  return typeof item.output === 'string'
    ? item.output
    : item.output.map((part) => (part.type === 'input_text' ? part.text : '')).join('');
}
