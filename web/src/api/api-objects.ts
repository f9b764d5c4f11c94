/** The API objects the playground reads, as the server (and OpenAI's Assistants API v2) returns them. */

export type Metadata = Record<string, string>;

export interface FunctionDefinition {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  strict?: boolean | null;
}

export type AssistantTool =
  | { type: 'code_interpreter' }
  | { type: 'file_search'; file_search?: { max_num_results?: number } }
  | { type: 'function'; function: FunctionDefinition }
  | { type: 'service_agent'; service_agent: { id: string } };

export interface ToolResources {
  code_interpreter?: { file_ids: string[] };
  file_search?: { vector_store_ids: string[] };
}

export interface Assistant {
  id: string;
  created_at: number;
  name: string | null;
  description: string | null;
  model: string;
  instructions: string | null;
  tools: AssistantTool[];
  tool_resources: ToolResources | null;
  metadata: Metadata;
  temperature: number | null;
  top_p: number | null;
}

export interface Annotation {
  type: 'file_citation' | 'file_path';
  text: string;
  start_index: number;
  end_index: number;
  file_citation?: { file_id: string };
  file_path?: { file_id: string };
}

export type MessageContent =
  | { type: 'text'; text: { value: string; annotations: Annotation[] } }
  | { type: 'image_file'; image_file: { file_id: string } }
  | { type: 'image_url'; image_url: { url: string } }
  | { type: 'refusal'; refusal: string };

export interface Message {
  id: string;
  created_at: number;
  thread_id: string;
  status: 'in_progress' | 'incomplete' | 'completed';
  role: 'user' | 'assistant';
  content: MessageContent[];
  run_id: string | null;
  attachments: Array<{ file_id: string; tools: Array<{ type: string }> }> | null;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface FunctionCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type RunStatus =
  | 'queued'
  | 'in_progress'
  | 'requires_action'
  | 'cancelling'
  | 'cancelled'
  | 'failed'
  | 'completed'
  | 'incomplete'
  | 'expired';

export interface Run {
  id: string;
  created_at: number;
  thread_id: string;
  assistant_id: string;
  status: RunStatus;
  required_action: {
    type: 'submit_tool_outputs';
    submit_tool_outputs: { tool_calls: FunctionCall[] };
  } | null;
  last_error: { code: string; message: string } | null;
  expires_at: number | null;
  started_at: number | null;
  cancelled_at: number | null;
  failed_at: number | null;
  completed_at: number | null;
  incomplete_details: { reason: string } | null;
  model: string;
  instructions: string;
  tools: AssistantTool[];
  usage: Usage | null;
}

export interface FileSearchResult {
  file_id: string;
  file_name: string;
  score: number;
  content?: Array<{ type: 'text'; text: string }>;
}

export type StepToolCall =
  | {
      id: string;
      type: 'function';
      function: { name: string; arguments: string; output: string | null };
    }
  | {
      id: string;
      type: 'code_interpreter';
      code_interpreter: {
        input: string;
        outputs: Array<
          { type: 'logs'; logs: string } | { type: 'image'; image: { file_id: string } }
        >;
      };
    }
  | {
      id: string;
      type: 'file_search';
      file_search: {
        ranking_options?: { ranker: string; score_threshold: number };
        results?: FileSearchResult[];
      };
    }
  | { id: string; type: 'service_agent'; service_agent: Record<string, unknown> };

export interface RunStep {
  id: string;
  created_at: number;
  run_id: string;
  thread_id: string;
  type: 'message_creation' | 'tool_calls';
  status: 'in_progress' | 'cancelled' | 'failed' | 'completed' | 'expired';
  step_details:
    | { type: 'message_creation'; message_creation: { message_id: string } }
    | { type: 'tool_calls'; tool_calls: StepToolCall[] };
  last_error: { code: string; message: string } | null;
  expired_at: number | null;
  cancelled_at: number | null;
  failed_at: number | null;
  completed_at: number | null;
  usage: Usage | null;
}

export interface FileObject {
  id: string;
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status?: string;
}

export interface VectorStore {
  id: string;
  created_at: number;
  name: string | null;
  status: 'expired' | 'in_progress' | 'completed';
  usage_bytes: number;
  file_counts: {
    in_progress: number;
    completed: number;
    failed: number;
    cancelled: number;
    total: number;
  };
}

export interface VectorStoreFile {
  id: string;
  created_at: number;
  status: 'in_progress' | 'completed' | 'cancelled' | 'failed';
  usage_bytes: number;
  last_error: { code: string; message: string } | null;
}

export interface VectorStoreSearchResult {
  file_id: string;
  filename: string;
  score: number;
  content: Array<{ type: 'text'; text: string }>;
}

export interface Model {
  id: string;
  owned_by: string;
}

/** `GET /v1/me`: who the key in use is to the server. */
export interface Caller {
  project: { id: string; name: string };
  api_key: { id: string; name: string; redacted_value: string } | null;
  admin: boolean;
  dev_mode: boolean;
}

export interface List<Item> {
  data: Item[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

export interface Thread {
  id: string;
  created_at: number;
  tool_resources: ToolResources | null;
  metadata: Metadata;
}

/** A service agent as `GET /v1/service_agents` lists it (only the fields the playground shows). */
export interface ServiceAgent {
  id: string;
  name?: string | null;
  description?: string | null;
}
