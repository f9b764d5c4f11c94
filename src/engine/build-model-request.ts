/**
 * Phase: build the model request of one turn. The thread's history is fitted to the model's context
 * window and to what is left of `max_prompt_tokens`, after `truncation_strategy` keeps only the last N
 * messages; the run's own steps (its messages, tool calls and results) are always kept whole.
 */
import type { Message } from '../domain/message.ts';
import type { Run, RunStep } from '../domain/run.ts';
import type {
  ModelCapabilities,
  ModelContentPart,
  ModelMessage,
  ModelRequest,
  ModelTool,
} from '../models/language-model.ts';
import type { StepTranscript } from '../storage/ports/runs-port.ts';
import { RunFailure } from './run-failure.ts';
import { imageTokens, MESSAGE_OVERHEAD_TOKENS, type TokenCounter } from './token-counter.ts';

/** Reads an image file of the project: bytes and media type, or undefined if there is no such image. */
export type ImageLoader = (
  projectId: string,
  fileId: string,
) => Promise<{ bytes: Uint8Array; mediaType: string } | undefined>;

export interface BuildRequestInput {
  projectId: string;
  run: Run;
  modelId: string;
  capabilities: ModelCapabilities;
  /** The thread's messages, oldest first. */
  messages: Message[];
  /** This run's steps, oldest first, with their transcripts. */
  steps: Array<{ step: RunStep; transcript: StepTranscript | null }>;
  tools: ModelTool[];
  reasoningEffort: string | null;
  /** Prompt and completion tokens this run has used in earlier turns. */
  used: { prompt: number; completion: number };
  counter: TokenCounter;
  loadImage: ImageLoader;
}

export interface BuiltRequest {
  request: ModelRequest;
  estimatedPromptTokens: number;
  /** History messages left out to fit. */
  droppedMessages: number;
}

const DATA_URL = /^data:(image\/[a-z+.-]+);base64,(.*)$/i;

async function userContent(
  input: BuildRequestInput,
  message: Message,
): Promise<ModelContentPart[]> {
  const parts: ModelContentPart[] = [];
  for (const part of message.content) {
    if (part.type === 'text') parts.push({ type: 'text', text: part.text.value });
    else if (part.type === 'image_url') {
      const data = DATA_URL.exec(part.image_url.url);
      parts.push({
        type: 'image',
        image: data ? Buffer.from(data[2]!, 'base64') : new URL(part.image_url.url),
        mediaType: data ? data[1]!.toLowerCase() : 'image/*',
        ...(part.image_url.detail ? { detail: part.image_url.detail } : {}),
      });
    } else if (part.type === 'image_file') {
      const image = await input.loadImage(input.projectId, part.image_file.file_id);
      if (!image)
        throw new RunFailure(
          `The image file ${part.image_file.file_id} in message ${message.id} does not exist or is not a readable image (png, jpeg, gif or webp up to 20 MB).`,
          { status: 'failed', code: 'invalid_prompt' },
        );
      parts.push({
        type: 'image',
        image: image.bytes,
        mediaType: image.mediaType,
        ...(part.image_file.detail ? { detail: part.image_file.detail } : {}),
      });
    }
  }
  return parts;
}

function assistantText(message: Message): string {
  return message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('');
}

function tokensOf(counter: TokenCounter, message: ModelMessage): number {
  let total = MESSAGE_OVERHEAD_TOKENS;
  for (const part of message.content) {
    if (part.type === 'text') total += counter.count(part.text);
    else if (part.type === 'image') total += imageTokens(part.detail);
    else if (part.type === 'tool-call')
      total += counter.count(part.toolName) + counter.count(part.arguments);
    else total += counter.count(part.output);
  }
  return total;
}

/** This run's own turns: its messages, and its tool calls with their results. */
function runTranscript(input: BuildRequestInput, byId: Map<string, Message>): ModelMessage[] {
  const transcript: ModelMessage[] = [];
  for (const { step, transcript: calls } of input.steps) {
    if (step.status !== 'completed') continue;
    if (step.step_details.type === 'message_creation') {
      const message = byId.get(step.step_details.message_creation.message_id);
      const text = message ? assistantText(message) : '';
      if (text) transcript.push({ role: 'assistant', content: [{ type: 'text', text }] });
      continue;
    }
    if (!calls || calls.calls.length === 0) continue;
    transcript.push({
      role: 'assistant',
      content: calls.calls.map((call) => ({
        type: 'tool-call',
        toolCallId: call.id,
        toolName: call.name,
        arguments: call.arguments,
      })),
    });
    transcript.push({
      role: 'tool',
      content: calls.calls.map((call) => ({
        type: 'tool-result',
        toolCallId: call.id,
        toolName: call.name,
        output: call.output ?? '',
      })),
    });
  }
  return transcript;
}

export async function buildModelRequest(input: BuildRequestInput): Promise<BuiltRequest> {
  const { run, counter } = input;
  const byId = new Map(input.messages.map((message) => [message.id, message]));
  let history = input.messages.filter((message) => message.run_id !== run.id);
  if (
    run.truncation_strategy.type === 'last_messages' &&
    run.truncation_strategy.last_messages !== null
  ) {
    history = history.slice(-run.truncation_strategy.last_messages);
  }

  const historyMessages: ModelMessage[] = [];
  let hasImages = false;
  for (const message of history) {
    if (message.role === 'user') {
      const content = await userContent(input, message);
      hasImages ||= content.some((part) => part.type === 'image');
      historyMessages.push({ role: 'user', content });
    } else {
      const text = assistantText(message);
      if (text) historyMessages.push({ role: 'assistant', content: [{ type: 'text', text }] });
    }
  }
  if (hasImages && !input.capabilities.vision) {
    throw new RunFailure(
      `The model '${run.model}' does not accept image input, and this thread has images. Use a vision model, or list it in the provider's visionModels.`,
      { status: 'failed', code: 'invalid_prompt' },
    );
  }
  const transcript = runTranscript(input, byId);

  // The output budget: what max_completion_tokens leaves, else a quarter of the window (at most 4096).
  const completionLeft =
    run.max_completion_tokens === null
      ? undefined
      : run.max_completion_tokens - input.used.completion;
  if (completionLeft !== undefined && completionLeft <= 0) {
    throw new RunFailure('The run used all of max_completion_tokens.', {
      status: 'incomplete',
      reason: 'max_completion_tokens',
    });
  }
  const outputReserve =
    completionLeft ?? Math.min(4096, Math.floor(input.capabilities.contextWindow / 4));
  const promptLeft =
    run.max_prompt_tokens === null
      ? Number.POSITIVE_INFINITY
      : run.max_prompt_tokens - input.used.prompt;
  const windowLeft = input.capabilities.contextWindow - outputReserve;
  const budget = Math.min(promptLeft, windowLeft);

  const system = run.instructions || undefined;
  const fixed =
    (system ? counter.count(system) + MESSAGE_OVERHEAD_TOKENS : 0) +
    input.tools.reduce((sum, tool) => sum + counter.count(JSON.stringify(tool)), 0) +
    transcript.reduce((sum, message) => sum + tokensOf(counter, message), 0);

  // Keep the newest history messages that fit; always at least the newest one when the run has no turns yet.
  const kept: ModelMessage[] = [];
  let total = fixed;
  for (let index = historyMessages.length - 1; index >= 0; index--) {
    const tokens = tokensOf(counter, historyMessages[index]!);
    if (total + tokens > budget) break;
    kept.unshift(historyMessages[index]!);
    total += tokens;
  }
  while (kept.length > 1 && kept[0]!.role !== 'user') kept.shift();
  if (
    total > budget ||
    (kept.length === 0 && historyMessages.length > 0 && transcript.length === 0)
  ) {
    if (promptLeft <= windowLeft) {
      throw new RunFailure('The prompt does not fit in what is left of max_prompt_tokens.', {
        status: 'incomplete',
        reason: 'max_prompt_tokens',
      });
    }
    throw new RunFailure(
      `The conversation does not fit in the context window of '${run.model}' (${input.capabilities.contextWindow} tokens), even after truncation.`,
      {
        status: 'failed',
        code: 'invalid_prompt',
      },
    );
  }

  const request: ModelRequest = {
    model: input.modelId,
    system,
    messages: [...kept, ...transcript],
    tools: input.tools,
    toolChoice: toModelToolChoice(run),
    parallelToolCalls: run.parallel_tool_calls,
    ...(run.temperature !== null ? { temperature: run.temperature } : {}),
    ...(run.top_p !== null ? { topP: run.top_p } : {}),
    ...(completionLeft !== undefined ? { maxOutputTokens: completionLeft } : {}),
    ...(input.reasoningEffort ? { reasoningEffort: input.reasoningEffort } : {}),
    ...responseFormat(run),
  };
  return {
    request,
    estimatedPromptTokens: total,
    droppedMessages: historyMessages.length - kept.length,
  };
}

function toModelToolChoice(run: Run): ModelRequest['toolChoice'] {
  const choice = run.tool_choice;
  if (typeof choice === 'string') return choice;
  if (choice.type === 'function') return { toolName: choice.function.name };
  return { toolName: choice.type };
}

function responseFormat(run: Run): Pick<ModelRequest, 'responseFormat'> {
  const format = run.response_format;
  if (format === 'auto' || format.type === 'text') return {};
  if (format.type === 'json_object') return { responseFormat: { type: 'json' } };
  return {
    responseFormat: {
      type: 'json',
      name: format.json_schema.name,
      ...(format.json_schema.schema ? { schema: format.json_schema.schema } : {}),
      ...(format.json_schema.description ? { description: format.json_schema.description } : {}),
      ...(format.json_schema.strict != null ? { strict: format.json_schema.strict } : {}),
    },
  };
}
