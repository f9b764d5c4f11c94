/**
 * The server-side tool port: tools the run engine executes itself (file_search, code_interpreter,
 * service agents), as opposed to function tools, which the client executes. Each tool tells the engine
 * what the model sees, how its call looks in a run step before and after it runs, and runs it.
 */
import type { AssistantTool, ToolResources } from '../domain/assistant.ts';
import type { MessageContent } from '../domain/message.ts';
import type { Run, RunOptions, StepToolCall } from '../domain/run.ts';
import type { ModelTool } from '../models/language-model.ts';

export interface ToolContext {
  projectId: string;
  run: Run;
  options: RunOptions;
  /** The resources this run may use: the run's, else the thread's and the assistant's, merged. */
  toolResources: ToolResources;
  signal: AbortSignal;
  /** Streams a partial update of this call as a `thread.run.step.delta` (merged by the SDK by index). */
  emitDelta(delta: Record<string, unknown>): void;
}

export interface ToolExecution {
  /** The finished tool call as the run step shows it. */
  toolCall: StepToolCall;
  /** What the model reads as the tool's result. */
  output: string;
  /** Content to put into the assistant's next message (e.g. images a tool produced). */
  messageContent?: MessageContent[];
  /** Prompt tokens the tool spent on the model's behalf (retrieved text counts in usage). */
  promptTokens?: number;
}

export interface ServerTool {
  readonly type: Exclude<AssistantTool['type'], 'function'>;
  /** The function-shaped tool(s) the model sees for this enabled tool, by model-facing name. */
  modelTools(tool: AssistantTool, context: Omit<ToolContext, 'signal' | 'emitDelta'>): Promise<ModelTool[]>;
  /** Whether a model-facing tool name belongs to this tool. */
  handles(toolName: string): boolean;
  /** The call as the step shows it while it runs. */
  begin(callId: string, toolName: string, argumentsText: string): StepToolCall;
  /** Runs the call. A failure the model can act on is a result, not a throw. */
  execute(callId: string, toolName: string, argumentsText: string, context: ToolContext): Promise<ToolExecution>;
}
