/**
 * Phase: run the server-side tool calls of a turn (file_search, code_interpreter, service agents) and
 * fill their results into the tool_calls step, streaming their progress as step deltas.
 */
import type { RunOptions, RunStep, StepToolCall } from '../domain/run.ts';
import type { ToolResources } from '../domain/assistant.ts';
import type { Store } from '../storage/store.ts';
import { toolCallDelta } from './run-objects.ts';
import type { RunWriter } from './run-writer.ts';
import { beginToolCall, transcriptOf, type TurnToolCall } from './stream-turn.ts';

export interface ServerToolsResult {
  step: RunStep;
  outputs: Map<string, string>;
  promptTokens: number;
}

export async function runServerTools(input: {
  store: Store;
  writer: RunWriter;
  projectId: string;
  options: RunOptions;
  toolResources: ToolResources;
  step: RunStep;
  calls: TurnToolCall[];
  usage: { prompt: number; completion: number };
  signal: AbortSignal;
}): Promise<ServerToolsResult> {
  const { writer, step } = input;
  const toolCalls: StepToolCall[] = input.calls.map(beginToolCall);
  const outputs = new Map<string, string>();
  let promptTokens = 0;
  for (const [index, call] of input.calls.entries()) {
    if (!call.serverTool) continue;
    input.signal.throwIfAborted();
    const execution = await call.serverTool.execute(call.id, call.name, call.arguments, {
      projectId: input.projectId,
      run: writer.run,
      options: input.options,
      toolResources: input.toolResources,
      signal: input.signal,
      emitDelta: (delta) => writer.emit('thread.run.step.delta', toolCallDelta(step.id, { index, ...delta })),
    });
    toolCalls[index] = execution.toolCall;
    outputs.set(call.id, execution.output);
    promptTokens += execution.promptTokens ?? 0;
  }
  const updated: RunStep = { ...step, step_details: { type: 'tool_calls', tool_calls: toolCalls } };
  await writer.write(() => input.store.runSteps.update(input.projectId, updated, transcriptOf(input.calls, input.usage, outputs)));
  return { step: updated, outputs, promptTokens };
}
