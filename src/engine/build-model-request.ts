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
import type { StepTranscript } from '../domain/run-record.ts';
import { messageTokens, promptBudget, requestTokens } from './context-budget.ts';
import { fitText, outputCap } from './fit-tool-output.ts';
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
  /**
   * History from outside the thread (a response's items), oldest first; when given, it takes the
   * place of the thread's messages before this run.
   */
  history?: ModelMessage[] | undefined;
  /** Fail instead of dropping the oldest history (a response's `truncation: disabled`). */
  truncationDisabled?: boolean;
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

/** This run's own turns: its messages, and its tool calls (after their turn's reasoning) with their results. */
function runTranscript(input: BuildRequestInput, byId: Map<string, Message>): ModelMessage[] {
  const transcript: ModelMessage[] = [];
  /** The assistant text of the step just before, which a tool-calls step after it shares a turn with. */
  let spoken: Extract<ModelMessage, { role: 'assistant' }> | undefined;
  for (const { step, transcript: calls } of input.steps) {
    const before = spoken;
    spoken = undefined;
    if (step.status !== 'completed') continue;
    if (step.step_details.type === 'message_creation') {
      const message = byId.get(step.step_details.message_creation.message_id);
      const text = message ? assistantText(message) : '';
      if (text) {
        spoken = { role: 'assistant', content: [{ type: 'text', text }] };
        transcript.push(spoken);
      }
      continue;
    }
    if (!calls || calls.calls.length === 0) continue;
    // The turn's reasoning leads its assistant turn: before the text it wrote, else before its calls.
    const reasoning = (calls.reasoning ?? []).map((block) => ({
      type: 'reasoning' as const,
      ...block,
    }));
    if (before) before.content.unshift(...reasoning);
    transcript.push({
      role: 'assistant',
      content: [
        ...(before ? [] : reasoning),
        ...calls.calls.map((call) => ({
          type: 'tool-call' as const,
          toolCallId: call.id,
          toolName: call.name,
          arguments: call.arguments,
        })),
      ],
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

  const historyMessages: ModelMessage[] = [...(input.history ?? [])];
  let hasImages = historyMessages.some(
    (message) => message.role === 'user' && message.content.some((part) => part.type === 'image'),
  );
  for (const message of input.history ? [] : history) {
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
  let transcript = runTranscript(input, byId);

  const { budget, promptLeft, windowLeft, completionLeft } = promptBudget(
    run,
    input.capabilities,
    input.used,
  );

  const system = run.instructions || undefined;
  const newest = historyMessages.at(-1);
  const reserve = newest ? Math.min(messageTokens(counter, newest), Math.floor(budget / 2)) : 0;
  let fixed = fixedTokens(input, transcript);
  // Tool outputs (a client's function output, or a budget that shrank since the tool ran) are cut
  // before the newest message of the conversation is dropped.
  if (fixed + reserve > budget) {
    transcript = shrinkToolResults(transcript, fixed + reserve - budget, counter);
    fixed = fixedTokens(input, transcript);
  }

  // Keep the newest history messages that fit; always at least the newest one when the run has no turns yet.
  const kept: ModelMessage[] = [];
  let total = fixed;
  for (let index = historyMessages.length - 1; index >= 0; index--) {
    const tokens = messageTokens(counter, historyMessages[index]!);
    if (total + tokens > budget) break;
    kept.unshift(historyMessages[index]!);
    total += tokens;
  }
  while (kept.length > 1 && kept[0]!.role !== 'user') kept.shift();
  if (
    total > budget ||
    (kept.length === 0 && historyMessages.length > 0 && transcript.length === 0) ||
    (input.truncationDisabled && kept.length < historyMessages.length)
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
    ...maxOutputTokens(input.capabilities, completionLeft, total),
    ...(input.reasoningEffort ? { reasoningEffort: input.reasoningEffort } : {}),
    ...responseFormat(run),
  };
  return {
    request,
    estimatedPromptTokens: total,
    droppedMessages: historyMessages.length - kept.length,
  };
}

/** The answer's limit: what is left of `max_completion_tokens` and the model's own limit, within the window. */
function maxOutputTokens(
  capabilities: BuildRequestInput['capabilities'],
  completionLeft: number | undefined,
  promptTokens: number,
): Pick<ModelRequest, 'maxOutputTokens'> {
  const limit = Math.min(
    completionLeft ?? Number.POSITIVE_INFINITY,
    capabilities.maxOutputTokens ?? Number.POSITIVE_INFINITY,
  );
  if (limit === Number.POSITIVE_INFINITY) return {};
  return {
    maxOutputTokens: Math.max(1, Math.min(limit, capabilities.contextWindow - promptTokens)),
  };
}

/** Tokens of what every request of this run carries: instructions, tools, and the run's own turns. */
function fixedTokens(input: BuildRequestInput, transcript: ModelMessage[]): number {
  return requestTokens(input.counter, {
    system: input.run.instructions || undefined,
    tools: input.tools,
    messages: transcript,
  });
}

/** The transcript with its largest tool outputs cut (head and tail kept) until `excess` tokens are freed. */
function shrinkToolResults(
  transcript: ModelMessage[],
  excess: number,
  counter: TokenCounter,
): ModelMessage[] {
  const sizes = transcript.flatMap((message) =>
    message.role === 'tool' ? message.content.map((part) => counter.count(part.output)) : [],
  );
  const cap = outputCap(sizes, excess);
  return transcript.map((message) =>
    message.role === 'tool'
      ? {
          ...message,
          content: message.content.map((part) => ({
            ...part,
            output: fitText(part.output, cap, counter),
          })),
        }
      : message,
  );
}

/**
 * Tokens the outputs of a tool-calls step's pending calls may use together, so that the next request
 * still fits: the next turn's budget, less instructions, tools, the run's earlier turns, this step's
 * calls and outputs so far, and room for the newest message of the conversation (up to half).
 */
export function toolOutputRoom(input: BuildRequestInput, pending: StepTranscript): number {
  let budget: number;
  try {
    budget = promptBudget(input.run, input.capabilities, input.used).budget;
  } catch {
    return 0; // The run's output budget is spent; the next turn ends it anyway.
  }
  if (budget === Number.POSITIVE_INFINITY) return budget;
  const byId = new Map(input.messages.map((message) => [message.id, message]));
  const calls: ModelMessage = {
    role: 'assistant',
    content: pending.calls.map((call) => ({
      type: 'tool-call',
      toolCallId: call.id,
      toolName: call.name,
      arguments: call.arguments,
    })),
  };
  const answered = pending.calls.reduce(
    (sum, call) => sum + (call.output === null ? 0 : input.counter.count(call.output)),
    MESSAGE_OVERHEAD_TOKENS,
  );
  const newest = input.messages.filter((message) => message.run_id !== input.run.id).at(-1);
  const newestTokens = newest
    ? MESSAGE_OVERHEAD_TOKENS +
      newest.content.reduce((sum, part) => {
        if (part.type === 'text') return sum + input.counter.count(part.text.value);
        if (part.type === 'image_file') return sum + imageTokens(part.image_file.detail);
        if (part.type === 'image_url') return sum + imageTokens(part.image_url.detail);
        return sum;
      }, 0)
    : 0;
  const used =
    fixedTokens(input, runTranscript(input, byId)) +
    messageTokens(input.counter, calls) +
    answered +
    Math.min(newestTokens, Math.floor(budget / 2));
  return Math.max(0, budget - used);
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
