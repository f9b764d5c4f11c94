/** The run and run step objects, and the shapes of their tool calls. */
import type { AssistantTool, Metadata, ResponseFormat } from './assistant.ts';
import type { McpCallError, McpListedTool } from './mcp-tool.ts';

/** Every status a run can have, in the order of OpenAI's spec; the transitions are in run-status.ts. */
export const RUN_STATUSES = [
  'queued',
  'in_progress',
  'requires_action',
  'cancelling',
  'cancelled',
  'failed',
  'completed',
  'incomplete',
  'expired',
] as const;

export type RunStatus = (typeof RUN_STATUSES)[number];

export type RunErrorCode = 'server_error' | 'rate_limit_exceeded' | 'invalid_prompt';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface TruncationStrategy {
  type: 'auto' | 'last_messages';
  last_messages: number | null;
}

export type ToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function'; function: { name: string } }
  | { type: 'code_interpreter' | 'file_search' };

export interface FunctionToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface Run {
  id: string;
  object: 'thread.run';
  created_at: number;
  thread_id: string;
  assistant_id: string;
  status: RunStatus;
  required_action: {
    type: 'submit_tool_outputs';
    submit_tool_outputs: { tool_calls: FunctionToolCall[] };
  } | null;
  last_error: { code: RunErrorCode; message: string } | null;
  expires_at: number | null;
  started_at: number | null;
  cancelled_at: number | null;
  failed_at: number | null;
  completed_at: number | null;
  incomplete_details: { reason: 'max_completion_tokens' | 'max_prompt_tokens' } | null;
  model: string;
  instructions: string;
  tools: AssistantTool[];
  metadata: Metadata;
  usage: Usage | null;
  temperature: number | null;
  top_p: number | null;
  max_prompt_tokens: number | null;
  max_completion_tokens: number | null;
  truncation_strategy: TruncationStrategy;
  tool_choice: ToolChoice;
  parallel_tool_calls: boolean;
  response_format: ResponseFormat;
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
  | { id: string; type: 'service_agent'; service_agent: Record<string, unknown> }
  | { id: string; type: 'mcp'; mcp: McpStepCall };

/** A call of a tool on an MCP server, as a run step shows it (Concierge's extension). */
export interface McpStepCall {
  server_label: string;
  /** The tool's name on the server. */
  name: string;
  arguments: string;
  /** What the server answered (cut to the server's output cap); null until it answers. */
  output: string | null;
  error: McpCallError | null;
  status: 'in_progress' | 'awaiting_approval' | 'completed' | 'declined' | 'failed';
}

export type StepDetails =
  | { type: 'message_creation'; message_creation: { message_id: string } }
  | { type: 'tool_calls'; tool_calls: StepToolCall[] };

export type RunStepStatus = 'in_progress' | 'cancelled' | 'failed' | 'completed' | 'expired';

export interface RunStep {
  id: string;
  object: 'thread.run.step';
  created_at: number;
  assistant_id: string;
  thread_id: string;
  run_id: string;
  type: StepDetails['type'];
  status: RunStepStatus;
  step_details: StepDetails;
  last_error: { code: 'server_error' | 'rate_limit_exceeded'; message: string } | null;
  expired_at: number | null;
  cancelled_at: number | null;
  failed_at: number | null;
  completed_at: number | null;
  metadata: Metadata;
  usage: Usage | null;
}

/**
 * What a run was asked to do beyond the fields of the Run object: kept with the run, read by the
 * engine, never shown to clients.
 */
export interface RunOptions {
  additional_instructions: string | null;
  reasoning_effort: string | null;
  /** `include[]` of the create call (file_search result content). */
  include: string[];
  /** tool_resources given to createThreadAndRun, overriding the assistant's. */
  tool_resources: unknown | null;
  /**
   * Set on a run a service agent started for another run: the delegation chain, for depth and cycle
   * checks. A run started over A2A by another Concierge run has the depth it claimed, no parent run
   * id (it is on the other side) and no known ancestors.
   */
  parent?: { run_id: string | null; depth: number; assistant_ids: string[] } | null;
  /** The project key that created the run (its usage is recorded for it); unset for other callers. */
  api_key_id?: string | null;
  /**
   * The container (`cntr_…`) a response's code_interpreter runs in: its session key and files, in
   * place of the thread's. Absent for Assistants runs.
   */
  container_id?: string | null;
  /**
   * A response's `max_tool_calls`: how many built-in tool calls (file_search, code_interpreter,
   * service agents…) the run executes in all; the model is told a call beyond it was not executed.
   */
  max_tool_calls?: number | null;
  /**
   * Where the history before the run's own turns comes from: the thread's messages (absent), or the
   * engine's `RunHistory` port (`external`: a response's items).
   */
  history?: 'external';
  /**
   * Store the model's reasoning as run events (`thread.reasoning.*`): set for a response, whose
   * output shows it as `reasoning` items. Absent for Assistants runs, which have no place for it.
   */
  reasoning_events?: boolean;
  /** `disabled`: a history that does not fit fails the run instead of losing its oldest turns. */
  truncation?: 'auto' | 'disabled';
  /**
   * The W3C trace context of the request that created the run, when tracing is on: the worker that
   * executes the run (or takes it over) continues that trace, in whatever process it runs.
   */
  trace_context?: { traceparent: string; tracestate?: string } | null;
  /**
   * Per `mcp` tool (by server label): the listing the run uses (a response lists a server once,
   * before its run starts; without one the engine lists it) and the tool's sealed secrets.
   */
  mcp?: Record<string, { tools?: McpListedTool[]; sealed?: string }>;
}
