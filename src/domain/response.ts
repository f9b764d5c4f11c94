/**
 * The response object of the Responses API (OpenAI's `Response`), its tools and its settings. A
 * response is executed as a run (or a segment of one); `src/api/responses/` maps one onto the other.
 */
import type { FileSearchRankingOptions, Metadata } from './assistant.ts';
import type { McpTool } from './mcp-tool.ts';
import type { ConversationItem, InputItem, OutputItem } from './response-item.ts';

export const RESPONSE_STATUSES = [
  'completed',
  'failed',
  'in_progress',
  'cancelled',
  'queued',
  'incomplete',
] as const;

export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];

export type ResponseFunctionTool = {
  type: 'function';
  name: string;
  description?: string | null;
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
};

export type ResponseFileSearchTool = {
  type: 'file_search';
  vector_store_ids: string[];
  filters?: unknown;
  max_num_results?: number;
  ranking_options?: Partial<FileSearchRankingOptions>;
};

export type ResponseCodeInterpreterTool = {
  type: 'code_interpreter';
  container: string | { type: 'auto'; file_ids?: string[] };
};

export type ResponseServiceAgentTool = { type: 'service_agent'; service_agent: { id: string } };

export type ResponseTool =
  | ResponseFunctionTool
  | ResponseFileSearchTool
  | ResponseCodeInterpreterTool
  | ResponseServiceAgentTool
  | McpTool;

export type ResponseToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function'; name: string }
  | { type: 'file_search' | 'code_interpreter' };

export type ResponseTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      name: string;
      schema: Record<string, unknown>;
      description?: string;
      strict?: boolean | null;
    };

export type ResponseErrorCode =
  'server_error' | 'rate_limit_exceeded' | 'invalid_prompt' | 'vector_store_timeout';

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface Response {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  background: boolean;
  completed_at: number | null;
  error: { code: ResponseErrorCode; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number;
  text: { format: ResponseTextFormat };
  tool_choice: ResponseToolChoice;
  tools: ResponseTool[];
  top_p: number;
  /** Always 0: no penalty, log probabilities or service tier applies here (OpenAI's defaults). */
  presence_penalty: number;
  frequency_penalty: number;
  top_logprobs: number;
  service_tier: 'default';
  /** The request's identifiers, echoed (null when not given). */
  safety_identifier: string | null;
  prompt_cache_key: string | null;
  truncation: 'auto' | 'disabled';
  usage: ResponseUsage | null;
  metadata: Metadata;
  /** The conversation the response reads and appends to (the `conversations` resource). */
  conversation: { id: string } | null;
}

/**
 * A stored response as the Responses layer keeps it: the object as last materialized, its input
 * items, and the run (segment) that executes it.
 */
export interface ResponseRecord {
  projectId: string;
  response: Response;
  /** This response's own input items, in order, each with its id. */
  input: InputItem[];
  /**
   * The items before this response's input when its `previous_response_id` names a response that
   * is not stored (a `store: false` response of the same WebSocket, kept in that socket's memory):
   * the chain stops here. Absent otherwise: the items are the stored chain's.
   */
  history?: ConversationItem[];
  runId: string;
  threadId: string;
  /** The run's events that belong to this response are those after this seq. */
  afterSeq: number;
}
