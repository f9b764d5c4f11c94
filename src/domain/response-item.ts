/**
 * The items of the Responses API: what a response reads (its input, and the items of the responses
 * before it) and what it writes (its output). The shapes are OpenAI's (`ResponseInputItem`,
 * `ResponseOutputItem`); built-in tool items (`file_search_call`, `code_interpreter_call`) and MCP
 * items are declared here so that every layer shares one vocabulary.
 */
import type { McpCallError, McpListedTool } from './mcp-tool.ts';

/** The status every item with a lifecycle carries. */
export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export type InputText = { type: 'input_text'; text: string };

export type InputImage = {
  type: 'input_image';
  detail: 'low' | 'high' | 'auto';
  /** An `https:` URL or a `data:` URL. */
  image_url?: string | null;
  file_id?: string | null;
};

export type InputFile = {
  type: 'input_file';
  file_id?: string | null;
  filename?: string;
  /** The file's bytes as a `data:` URL or base64. */
  file_data?: string;
  file_url?: string;
};

export type InputContent = InputText | InputImage | InputFile;

export type Annotation =
  | { type: 'file_citation'; file_id: string; filename: string; index: number }
  | {
      type: 'url_citation';
      url: string;
      title: string;
      start_index: number;
      end_index: number;
    }
  | {
      type: 'container_file_citation';
      container_id: string;
      file_id: string;
      filename: string;
      start_index: number;
      end_index: number;
    }
  | { type: 'file_path'; file_id: string; index: number };

export type OutputText = { type: 'output_text'; text: string; annotations: Annotation[] };

export type Refusal = { type: 'refusal'; refusal: string };

export type OutputContent = OutputText | Refusal;

/** A message the client wrote (`user`, `system`, `developer`) or the model wrote (`assistant`). */
export type InputMessageItem = {
  type: 'message';
  id: string;
  role: 'user' | 'system' | 'developer';
  status: ItemStatus;
  content: InputContent[];
};

export type OutputMessageItem = {
  type: 'message';
  id: string;
  role: 'assistant';
  status: ItemStatus;
  content: OutputContent[];
};

export type FunctionCallItem = {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  /** JSON text, as the model wrote it. */
  arguments: string;
  status: ItemStatus;
};

export type FunctionCallOutputItem = {
  type: 'function_call_output';
  id: string;
  call_id: string;
  output: string | InputContent[];
  status: ItemStatus;
};

export type ReasoningItem = {
  type: 'reasoning';
  id: string;
  summary: Array<{ type: 'summary_text'; text: string }>;
  content?: Array<{ type: 'reasoning_text'; text: string }>;
  encrypted_content?: string | null;
  status?: ItemStatus;
};

/**
 * A compaction (`POST /v1/responses/compact`): the history before it, summarized by the model.
 * `encrypted_content` is opaque to the client; a response that reads this item gives its model the
 * summary in place of the history it replaces.
 */
export type CompactionItem = {
  type: 'compaction';
  id: string;
  encrypted_content: string;
  created_by?: string;
};

export type FileSearchCallItem = {
  type: 'file_search_call';
  id: string;
  queries: string[];
  status: 'in_progress' | 'searching' | 'completed' | 'incomplete' | 'failed';
  results?: Array<{
    file_id: string;
    filename: string;
    score: number;
    text: string;
    attributes: Record<string, string | number | boolean>;
  }> | null;
};

export type CodeInterpreterCallItem = {
  type: 'code_interpreter_call';
  id: string;
  code: string | null;
  container_id: string;
  outputs: Array<{ type: 'logs'; logs: string } | { type: 'image'; url: string }> | null;
  status: 'in_progress' | 'completed' | 'incomplete' | 'interpreting' | 'failed';
};

export type McpListToolsItem = {
  type: 'mcp_list_tools';
  id: string;
  server_label: string;
  tools: McpListedTool[];
  error?: string | null;
};

export type McpCallItem = {
  type: 'mcp_call';
  id: string;
  server_label: string;
  name: string;
  arguments: string;
  output?: string | null;
  error?: McpCallError | null;
  status?: 'in_progress' | 'completed' | 'incomplete' | 'calling' | 'failed';
  approval_request_id?: string | null;
};

export type McpApprovalRequestItem = {
  type: 'mcp_approval_request';
  id: string;
  server_label: string;
  name: string;
  arguments: string;
};

export type McpApprovalResponseItem = {
  type: 'mcp_approval_response';
  id: string;
  approval_request_id: string;
  approve: boolean;
  reason?: string | null;
};

/** What a response may produce. */
export type OutputItem =
  | OutputMessageItem
  | FunctionCallItem
  | ReasoningItem
  | FileSearchCallItem
  | CodeInterpreterCallItem
  | McpListToolsItem
  | McpCallItem
  | McpApprovalRequestItem;

/** An item as stored in a response's input (every item has an id once stored). */
export type InputItem =
  | InputMessageItem
  | OutputMessageItem
  | FunctionCallItem
  | FunctionCallOutputItem
  | ReasoningItem
  | CompactionItem
  | FileSearchCallItem
  | CodeInterpreterCallItem
  | McpListToolsItem
  | McpCallItem
  | McpApprovalRequestItem
  | McpApprovalResponseItem;

/** Any item of a conversation: an input item or an output item. */
export type ConversationItem = InputItem | OutputItem;

/** The id prefix of each item type, as OpenAI's ids read. */
export const ITEM_ID_PREFIXES = {
  message: 'msg_',
  function_call: 'fc_',
  function_call_output: 'fco_',
  reasoning: 'rs_',
  compaction: 'cmp_',
  file_search_call: 'fs_',
  code_interpreter_call: 'ci_',
  mcp_list_tools: 'mcpl_',
  mcp_call: 'mcp_',
  mcp_approval_request: 'mcpr_',
  mcp_approval_response: 'mcpa_',
} as const satisfies Record<ConversationItem['type'], string>;
