/**
 * How many prompt tokens the next model call may use: the model's context window less what its answer
 * needs, and what is left of the run's `max_prompt_tokens`. Both the request builder and the tool
 * phase (which fits tool outputs before the model reads them) measure with these functions.
 */
import type { Run } from '../domain/run.ts';
import type { ModelCapabilities, ModelMessage, ModelTool } from '../models/language-model.ts';
import { RunFailure } from './run-failure.ts';
import { imageTokens, MESSAGE_OVERHEAD_TOKENS, type TokenCounter } from './token-counter.ts';

/** The answer room an unconfigured model gets: a quarter of its window, at most this many tokens. */
const DEFAULT_OUTPUT_RESERVE = 4096;

export interface PromptBudget {
  /** Prompt tokens the next call may use. */
  budget: number;
  /** What is left of `max_prompt_tokens` (infinite without it). */
  promptLeft: number;
  /** The context window less the answer's reserve. */
  windowLeft: number;
  /** What is left of `max_completion_tokens`, if the run has it. */
  completionLeft: number | undefined;
}

/** Throws `RunFailure` (incomplete, `max_completion_tokens`) when the run's output budget is spent. */
export function promptBudget(
  run: Run,
  capabilities: ModelCapabilities,
  used: { prompt: number; completion: number },
): PromptBudget {
  const completionLeft =
    run.max_completion_tokens === null ? undefined : run.max_completion_tokens - used.completion;
  if (completionLeft !== undefined && completionLeft <= 0) {
    throw new RunFailure('The run used all of max_completion_tokens.', {
      status: 'incomplete',
      reason: 'max_completion_tokens',
    });
  }
  const outputReserve = Math.min(
    completionLeft ?? Number.POSITIVE_INFINITY,
    capabilities.maxOutputTokens ?? DEFAULT_OUTPUT_RESERVE,
    Math.floor(capabilities.contextWindow / 4),
  );
  const promptLeft =
    run.max_prompt_tokens === null ? Number.POSITIVE_INFINITY : run.max_prompt_tokens - used.prompt;
  const windowLeft = capabilities.contextWindow - outputReserve;
  return { budget: Math.min(promptLeft, windowLeft), promptLeft, windowLeft, completionLeft };
}

/** Estimated prompt tokens of one message (images by their billed size, without loading them). */
export function messageTokens(counter: TokenCounter, message: ModelMessage): number {
  let total = MESSAGE_OVERHEAD_TOKENS;
  for (const part of message.content) {
    if (part.type === 'text' || part.type === 'reasoning') total += counter.count(part.text);
    else if (part.type === 'image') total += imageTokens(part.detail);
    else if (part.type === 'tool-call')
      total += counter.count(part.toolName) + counter.count(part.arguments);
    else total += counter.count(part.output);
  }
  return total;
}

/**
 * Estimated prompt tokens of a whole request, as the request builder measures it: the system text
 * with its framing, each tool declaration as JSON, and every message.
 */
export function requestTokens(
  counter: TokenCounter,
  request: { system: string | undefined; tools: ModelTool[]; messages: ModelMessage[] },
): number {
  return (
    (request.system ? counter.count(request.system) + MESSAGE_OVERHEAD_TOKENS : 0) +
    request.tools.reduce((sum, tool) => sum + counter.count(JSON.stringify(tool)), 0) +
    request.messages.reduce((sum, message) => sum + messageTokens(counter, message), 0)
  );
}
