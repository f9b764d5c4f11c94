/**
 * A response's `input` as stored items: a string becomes one user message; every item gets an id
 * (the client's, when it sent one back) and a status. Item references are resolved by the caller.
 */
import { newId } from '../../domain/ids.ts';
import type { InputItem, McpCallItem } from '../../domain/response-item.ts';
import type { InputItemParam, InputParam } from './items.schemas.ts';

type ConcreteParam = Exclude<InputItemParam, { type: 'item_reference' }>;

/** One item of a request as stored: ids and statuses filled in, text content as parts. */
export function toInputItem(item: ConcreteParam): InputItem {
  switch (item.type) {
    case 'message':
      if (item.role === 'assistant') {
        return {
          type: 'message',
          id: item.id ?? newId('message'),
          role: 'assistant',
          status: item.status ?? 'completed',
          content:
            typeof item.content === 'string'
              ? [{ type: 'output_text', text: item.content, annotations: [] }]
              : item.content.map((part) =>
                  part.type === 'output_text'
                    ? { type: 'output_text', text: part.text, annotations: part.annotations }
                    : part,
                ),
        };
      }
      return {
        type: 'message',
        id: item.id ?? newId('message'),
        role: item.role,
        status: item.status ?? 'completed',
        content:
          typeof item.content === 'string'
            ? [{ type: 'input_text', text: item.content }]
            : item.content,
      };
    case 'function_call':
      return {
        type: 'function_call',
        id: item.id ?? newId('functionCall'),
        call_id: item.call_id,
        name: item.name,
        arguments: item.arguments,
        status: item.status ?? 'completed',
      };
    case 'function_call_output':
      return {
        type: 'function_call_output',
        id: item.id ?? newId('functionCallOutput'),
        call_id: item.call_id,
        output: item.output,
        status: item.status ?? 'completed',
      };
    case 'mcp_approval_response':
      return {
        type: 'mcp_approval_response',
        id: item.id ?? `mcpa_${newId('toolCall').slice('call_'.length)}`,
        approval_request_id: item.approval_request_id,
        approve: item.approve,
        reason: item.reason ?? null,
      };
    case 'mcp_list_tools':
      return {
        type: 'mcp_list_tools',
        id: item.id,
        server_label: item.server_label,
        tools: item.tools.map((tool) => ({
          name: tool.name,
          description: tool.description ?? null,
          input_schema: tool.input_schema,
          annotations: tool.annotations ?? null,
        })),
        error: item.error ?? null,
      };
    case 'mcp_call':
      return {
        type: 'mcp_call',
        id: item.id,
        server_label: item.server_label,
        name: item.name,
        arguments: item.arguments,
        output: item.output ?? null,
        error: (item.error ?? null) as McpCallItem['error'],
        status: item.status ?? 'completed',
        approval_request_id: item.approval_request_id ?? null,
      };
    case 'mcp_approval_request':
      return { ...item };
    case 'reasoning':
      return {
        type: 'reasoning',
        id: item.id ?? newId('reasoning'),
        summary: item.summary,
        ...(item.content ? { content: item.content } : {}),
        ...(item.encrypted_content !== undefined
          ? { encrypted_content: item.encrypted_content }
          : {}),
        ...(item.status ? { status: item.status } : {}),
      };
    case 'compaction':
      return {
        type: 'compaction',
        id: item.id ?? newId('compaction'),
        encrypted_content: item.encrypted_content,
      };
  }
}

/**
 * The request's input as stored items. `resolve` finds the stored item an `item_reference` names
 * (undefined when there is none: the caller answers 404).
 */
export async function toInputItems(
  input: InputParam,
  resolve: (id: string, index: number) => Promise<InputItem>,
): Promise<InputItem[]> {
  if (typeof input === 'string') {
    return [
      {
        type: 'message',
        id: newId('message'),
        role: 'user',
        status: 'completed',
        content: [{ type: 'input_text', text: input }],
      },
    ];
  }
  const items: InputItem[] = [];
  for (const [index, item] of input.entries()) {
    items.push(item.type === 'item_reference' ? await resolve(item.id, index) : toInputItem(item));
  }
  return items;
}
