/**
 * The server-side tool port: tools the run engine executes itself (file_search, code_interpreter,
 * service agents), as opposed to function tools, which the client executes. Each tool tells the engine
 * what the model sees, how its call looks in a run step before and after it runs, and runs it. A tool
 * may pause for a person's approval: the run then waits in `requires_action` on an `approve_action`
 * function call, and the tool resumes with the client's answer.
 */
import type { AssistantTool, ToolResources } from '../domain/assistant.ts';
import type { MessageContent } from '../domain/message.ts';
import type { Run, RunOptions, StepToolCall } from '../domain/run.ts';
import type { ModelTool } from '../models/language-model.ts';
import type { UsageMeter } from '../storage/ports/usage-port.ts';

export interface ToolContext {
  projectId: string;
  run: Run;
  options: RunOptions;
  /** The resources this run may use: the run's, else the thread's and the assistant's, merged. */
  toolResources: ToolResources;
  signal: AbortSignal;
  /** Streams a partial update of this call as a `thread.run.step.delta` (merged by the SDK by index). */
  emitDelta(delta: Record<string, unknown>): void;
  /**
   * How many file_search results earlier calls of this run produced: a result's citation marker number
   * is this offset plus its position (`【n†file】`), so markers stay unique within a run.
   */
  sourceOffset: number;
  /**
   * The call belongs to a step settled again after the worker settling it stopped (the run was taken
   * over): an earlier attempt may have started it. A tool with effects looks for what that attempt
   * did before doing anything again (a service agent's call: its action).
   */
  resumed?: boolean;
}

/** A file a tool produced, which the assistant's message may link as `sandbox:/mnt/data/<name>`. */
export interface ProducedFile {
  name: string;
  fileId: string;
}

export interface CompletedExecution {
  kind: 'completed';
  /** The finished tool call as the run step shows it. */
  toolCall: StepToolCall;
  /** What the model reads as the tool's result. */
  output: string;
  /** Content to add to the assistant's next message (e.g. images a tool produced). */
  messageContent?: MessageContent[];
  /** Files the model may link to. */
  files?: ProducedFile[];
  /**
   * Usage this call metered (code interpreter sessions and milliseconds), recorded for the run's
   * project and key in the transaction that stores the call's result in its step.
   */
  meters?: Array<{ meter: UsageMeter; amount: number }>;
  /**
   * This result cut to at most `maxTokens` of output, for a model whose context window has less room
   * (file_search drops its lowest-ranked passages first). Without it the engine keeps the output's
   * head and tail.
   */
  fit?(maxTokens: number, countTokens: (text: string) => number): CompletedExecution;
}

/** The tool needs a person before it goes on: an approval, or an answer a remote agent asked for. */
export interface ApprovalRequest {
  kind: 'approval';
  /** The call as the step shows it while it waits. */
  toolCall: StepToolCall;
  /** The function the client answers; `approve_action` unless the tool asks something else. */
  name?: string;
  /** Arguments of that function call (the proposal, or the question, described). */
  arguments: Record<string, unknown>;
}

export type ToolExecution = CompletedExecution | ApprovalRequest;

export interface ServerTool {
  readonly type: Exclude<AssistantTool['type'], 'function'>;
  /** The function-shaped tool(s) the model sees for this enabled tool. */
  modelTools(
    tool: AssistantTool,
    context: Omit<ToolContext, 'signal' | 'emitDelta' | 'sourceOffset'>,
  ): Promise<ModelTool[]>;
  /** Whether a model-facing tool name belongs to this tool. */
  handles(toolName: string): boolean;
  /** The call as the step shows it while it runs. */
  begin(callId: string, toolName: string, argumentsText: string): StepToolCall;
  /** Runs the call. A failure the model can act on is a result, not a throw. */
  execute(
    callId: string,
    toolName: string,
    argumentsText: string,
    context: ToolContext,
  ): Promise<ToolExecution>;
  /**
   * Continues a call that asked the client, with the arguments it asked with and the client's output
   * (for `approve_action`, JSON such as `{"approved": true}`), and the project key that submitted it
   * (null for the admin key or dev mode). Tools that never ask need not implement it.
   */
  resume?(
    callId: string,
    toolName: string,
    argumentsText: string,
    answer: { arguments: string; output: string; keyId?: string | null },
    context: ToolContext,
  ): Promise<ToolExecution>;
}

/** The name of the function call through which a client approves or declines a tool's proposal. */
export const APPROVE_ACTION = 'approve_action';
