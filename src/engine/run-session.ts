/**
 * What the phases of one execution share: the run's context (steps in memory, this turn's messages,
 * the store view that keeps them current), its writer, what the open turn left open, the model and the
 * tools offered to it. The executor builds it once, after the run has started.
 */
import type { ToolResources } from '../domain/assistant.ts';
import type { LanguageModel, ModelCapabilities, ModelTool } from '../models/language-model.ts';
import type { RunRecord } from '../domain/run-record.ts';
import type { ServerTool } from '../tools/tool.ts';
import type { BuildRequestInput, ImageLoader } from './build-model-request.ts';
import type { RunContext } from './run-context.ts';
import { usedTokens } from './run-usage.ts';
import type { RunWriter } from './run-writer.ts';
import type { TurnState } from './stream-turn.ts';
import type { TokenCounter } from './token-counter.ts';

export interface RunSession {
  record: RunRecord;
  context: RunContext;
  writer: RunWriter;
  state: TurnState;
  signal: AbortSignal;
  model: { model: LanguageModel; modelId: string; capabilities: ModelCapabilities };
  tools: ModelTool[];
  /** The server tool that answers a tool name; undefined for the client's function tools. */
  toolFor(name: string): ServerTool | undefined;
  toolResources: ToolResources;
  counter: TokenCounter;
  loadImage: ImageLoader;
  /** How long a run waits in `requires_action` for the client. */
  runExpirySeconds: number;
}

/** The request builder's input for the session's next turn, from its steps and this turn's messages. */
export function requestInput(session: RunSession): BuildRequestInput {
  const { context, record } = session;
  return {
    projectId: record.projectId,
    run: session.writer.run,
    modelId: session.model.modelId,
    capabilities: session.model.capabilities,
    messages: context.messages,
    history: context.history,
    truncationDisabled: record.options.truncation === 'disabled',
    steps: context.steps,
    tools: session.tools,
    reasoningEffort: record.options.reasoning_effort,
    used: usedTokens(context.steps),
    counter: session.counter,
    loadImage: session.loadImage,
  };
}
