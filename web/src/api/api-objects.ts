/**
 * The API objects the playground reads: OpenAI's own types from the `openai` package (types only, no
 * runtime code), widened where Concierge documents an extension (the `service_agent` tool and its
 * step tool call), plus the few Concierge-only objects.
 */
import type {
  Assistant as OpenAIAssistant,
  AssistantTool as OpenAIAssistantTool,
} from 'openai/resources/beta/assistants';
import type { Thread as OpenAIThread } from 'openai/resources/beta/threads/threads';
import type { Run as OpenAIRun } from 'openai/resources/beta/threads/runs/runs';
import type {
  RunStep as OpenAIRunStep,
  ToolCall as OpenAIToolCall,
  ToolCallsStepDetails as OpenAIToolCallsStepDetails,
} from 'openai/resources/beta/threads/runs/steps';

export type { Metadata } from 'openai/resources/shared';
export type { Annotation, Message, MessageContent } from 'openai/resources/beta/threads/messages';
export type {
  RequiredActionFunctionToolCall as FunctionCall,
  RunStatus,
} from 'openai/resources/beta/threads/runs/runs';
export type { FileObject } from 'openai/resources/files';
export type { Model } from 'openai/resources/models';
export type {
  VectorStore,
  VectorStoreSearchResponse as VectorStoreSearchResult,
} from 'openai/resources/vector-stores/vector-stores';
export type { VectorStoreFile } from 'openai/resources/vector-stores/files';

/** Concierge's extension: a tool that calls a registered service agent. */
export interface ServiceAgentTool {
  type: 'service_agent';
  service_agent: { id: string };
}

export type AssistantTool = OpenAIAssistantTool | ServiceAgentTool;

export interface Assistant extends Omit<OpenAIAssistant, 'tools'> {
  tools: AssistantTool[];
}

export type Thread = OpenAIThread;

export interface Run extends Omit<OpenAIRun, 'tools'> {
  tools: AssistantTool[];
}

/** Concierge's extension: a service agent call in a tool-calls step. */
export interface ServiceAgentToolCall {
  id: string;
  type: 'service_agent';
  service_agent: Record<string, unknown>;
}

export type Usage = OpenAIRunStep.Usage;

export type StepToolCall = OpenAIToolCall | ServiceAgentToolCall;

export interface ToolCallsStepDetails extends Omit<OpenAIToolCallsStepDetails, 'tool_calls'> {
  tool_calls: StepToolCall[];
}

export interface RunStep extends Omit<OpenAIRunStep, 'step_details'> {
  step_details:
    Exclude<OpenAIRunStep['step_details'], OpenAIToolCallsStepDetails> | ToolCallsStepDetails;
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

/** A service agent as `GET /v1/service_agents` lists it (only the fields the playground shows). */
export interface ServiceAgent {
  id: string;
  name?: string | null;
  description?: string | null;
}
