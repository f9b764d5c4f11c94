/**
 * The model port: one streaming call, normalized. Adapters turn a provider's wire format into these
 * parts; provider quirks never leave the adapter.
 */

export type ModelContentPart =
  | { type: 'text'; text: string }
  /** An image as bytes (with its media type) or as a URL the provider may fetch. */
  | { type: 'image'; image: Uint8Array | URL; mediaType: string; detail?: 'auto' | 'low' | 'high' };

/**
 * What the model thought before it answered, as the provider streamed it. Replayed in an assistant
 * turn only to adapters whose provider reads it back; the others leave it out of the prompt.
 */
export interface ModelReasoning {
  type: 'reasoning';
  text: string;
  /** The provider's signature of this reasoning (Anthropic's thinking), which it needs to read it back. */
  signature?: string;
}

export type ModelAssistantPart = { type: 'text'; text: string } | ModelReasoning | ModelToolCall;

export type ModelMessage =
  | { role: 'user'; content: ModelContentPart[] }
  | { role: 'assistant'; content: ModelAssistantPart[] }
  | {
      role: 'tool';
      content: Array<{ type: 'tool-result'; toolCallId: string; toolName: string; output: string }>;
    };

export interface ModelToolCall {
  type: 'tool-call';
  toolCallId: string;
  toolName: string;
  /** The arguments as the model wrote them: JSON text. */
  arguments: string;
}

export interface ModelTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments (an object schema). */
  parameters: Record<string, unknown>;
  strict?: boolean;
}

export type ModelToolChoice = 'auto' | 'none' | 'required' | { toolName: string };

export interface ModelRequest {
  /** The model id as the provider knows it (the registry strips any provider prefix). */
  model: string;
  system: string | undefined;
  messages: ModelMessage[];
  tools: ModelTool[];
  toolChoice: ModelToolChoice;
  parallelToolCalls: boolean;
  temperature?: number;
  topP?: number;
  maxOutputTokens?: number;
  responseFormat?:
    | { type: 'text' }
    | {
        type: 'json';
        schema?: Record<string, unknown>;
        name?: string;
        description?: string;
        strict?: boolean;
      };
  /** How hard a reasoning model thinks (`low`, `medium`, `high`, …), for providers that take it. */
  reasoningEffort?: string;
}

export interface ModelUsage {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  /** Of the output tokens, those spent reasoning, when the provider reports them. */
  reasoningTokens?: number | undefined;
}

export type ModelFinishReason =
  'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

export type ModelStreamPart =
  | { type: 'text-delta'; delta: string }
  /** Reasoning text, streamed before the answer it leads to (never interleaved with its text). */
  | { type: 'reasoning-delta'; delta: string }
  /** The provider's signature of the reasoning just streamed (Anthropic's thinking blocks). */
  | { type: 'reasoning-signature'; signature: string }
  | { type: 'tool-call-start'; toolCallId: string; toolName: string }
  | { type: 'tool-call-delta'; toolCallId: string; argumentsDelta: string }
  | { type: 'tool-call-end'; toolCallId: string; toolName: string; arguments: string }
  | { type: 'finish'; finishReason: ModelFinishReason; usage: ModelUsage };

/** Why a model call failed, in the vocabulary of a run's `last_error`. */
export class ModelCallError extends Error {
  override name = 'ModelCallError';
  constructor(
    message: string,
    readonly code: 'server_error' | 'rate_limit_exceeded' | 'invalid_prompt',
    /** Whether trying the same call again may succeed (rate limits, 5xx, network errors, timeouts). */
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface LanguageModel {
  /**
   * Streams one model turn. The iterator ends after exactly one `finish` part, or throws a
   * `ModelCallError`. Aborting `signal` ends the call promptly.
   */
  stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelStreamPart>;
}

/** What the run engine needs to know about a model before calling it. */
export interface ModelCapabilities {
  /** Accepts image inputs. */
  vision: boolean;
  /** Context window in tokens. */
  contextWindow: number;
  /** Most tokens the model writes in one answer, when known. */
  maxOutputTokens?: number;
}

/** Resolves an assistant's model name (`gpt-4o`, `ollama/llama3.2`) to a callable model. */
export interface ModelResolver {
  resolve(modelName: string): {
    model: LanguageModel;
    modelId: string;
    capabilities: ModelCapabilities;
  };
}
