/**
 * One model turn on a context sequence, as the port's stream parts. Which way it generates follows
 * from the request:
 * - tools with `toolChoice: 'auto'`: node-llama-cpp's function calling, in the chat wrapper's syntax;
 * - a required or named tool: a grammar that only admits a call (its arguments match the schema);
 * - `responseFormat: json`: a grammar from the JSON schema (or any JSON object without one);
 * - otherwise free text.
 * Grammars and function calling exclude each other in llama.cpp: with tools offered the tools win,
 * and a `json` response format is not enforced on that turn.
 */
import { randomBytes } from 'node:crypto';
import type {
  ChatModelFunctions,
  ChatWrapper,
  GbnfJsonSchema,
  LlamaChatResponse,
  LlamaContextSequence,
  LlamaGrammar,
} from 'node-llama-cpp';
import {
  ModelCallError,
  type ModelFinishReason,
  type ModelRequest,
  type ModelStreamPart,
  type ModelTool,
} from '../language-model.ts';
import { toChatHistory } from './chat-history.ts';
import type { LlamaRuntime } from './load-gguf-model.ts';

export interface TurnInput {
  runtime: LlamaRuntime;
  sequence: LlamaContextSequence;
  chatWrapper: ChatWrapper;
  /** The answer's limit when the request sets none. */
  defaultMaxTokens: number;
}

type Plan =
  | { kind: 'text'; grammar?: LlamaGrammar }
  | { kind: 'functions'; functions: ChatModelFunctions }
  | { kind: 'forced-call'; grammar: LlamaGrammar; tools: ModelTool[]; named: boolean };

export async function* generateTurn(
  input: TurnInput,
  request: ModelRequest,
  signal: AbortSignal,
): AsyncGenerator<ModelStreamPart> {
  const plan = await planTurn(input.runtime, request);
  const history = toChatHistory(
    request,
    plan.kind === 'forced-call' ? forcedCallInstructions(plan.tools) : undefined,
  );
  const { LlamaChat } = input.runtime.module;
  const chat = new LlamaChat({
    contextSequence: input.sequence,
    chatWrapper: input.chatWrapper,
    autoDisposeSequence: false,
  });
  const stop = new AbortController();
  const forwardAbort = () => stop.abort(signal.reason);
  signal.addEventListener('abort', forwardAbort, { once: true });
  // Aborted while the grammar was being built: the listener came too late to hear it.
  if (signal.aborted) forwardAbort();

  const parts: ModelStreamPart[] = [];
  let wake: (() => void) | undefined;
  const push = (part: ModelStreamPart) => {
    parts.push(part);
    wake?.();
  };
  let outputTokens = 0;
  // The prompt's length as the first token comes: the context then holds the prompt alone (the last
  // token of an answer is never evaluated, so the context's length at the end undercounts by one).
  let promptTokens: number | undefined;
  const streamingCalls = new Map<number, string>();
  const forcedTool = plan.kind === 'forced-call' && plan.named ? plan.tools[0] : undefined;
  const forcedId = forcedTool ? newCallId() : undefined;
  if (forcedTool && forcedId)
    push({ type: 'tool-call-start', toolCallId: forcedId, toolName: forcedTool.name });

  const common = {
    signal: stop.signal,
    maxTokens: request.maxOutputTokens ?? input.defaultMaxTokens,
    temperature: request.temperature ?? 1,
    ...(request.topP !== undefined ? { topP: request.topP } : {}),
    onToken: (tokens: readonly unknown[]) => {
      promptTokens ??= input.sequence.contextTokens.length;
      outputTokens += tokens.length;
    },
    onTextChunk: (text: string) => {
      if (text === '' || (plan.kind === 'forced-call' && !forcedId)) return;
      push(
        forcedId
          ? { type: 'tool-call-delta', toolCallId: forcedId, argumentsDelta: text }
          : { type: 'text-delta', delta: text },
      );
    },
  };
  const generation: Promise<LlamaChatResponse<ChatModelFunctions>> =
    plan.kind === 'functions'
      ? chat.generateResponse(history, {
          ...common,
          functions: plan.functions,
          maxParallelFunctionCalls: request.parallelToolCalls ? undefined : 1,
          onFunctionCallParamsChunk: (chunk) => {
            let id = streamingCalls.get(chunk.callIndex);
            if (!id) {
              id = newCallId();
              streamingCalls.set(chunk.callIndex, id);
              push({ type: 'tool-call-start', toolCallId: id, toolName: chunk.functionName });
            }
            if (chunk.paramsChunk)
              push({ type: 'tool-call-delta', toolCallId: id, argumentsDelta: chunk.paramsChunk });
          },
        })
      : chat.generateResponse(history, { ...common, grammar: plan.grammar });
  let settled = false;
  generation
    .then(
      () => undefined,
      () => undefined,
    )
    .finally(() => {
      settled = true;
      wake?.();
    });
  try {
    for (;;) {
      while (parts.length > 0) yield parts.shift()!;
      if (settled) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    const result = await generation.catch((error: unknown) => {
      if (signal.aborted) throw signal.reason;
      throw new ModelCallError(
        `The local model failed: ${(error as Error).message}`,
        'server_error',
        false,
        { cause: error },
      );
    });
    const usage = {
      inputTokens: promptTokens ?? input.sequence.contextTokens.length,
      outputTokens,
    };
    yield* finishParts(plan, result, streamingCalls, forcedId);
    yield { type: 'finish', finishReason: finishReason(plan, result), usage };
  } finally {
    signal.removeEventListener('abort', forwardAbort);
    if (!settled) {
      stop.abort(new Error('The stream was closed.'));
      await generation.catch(() => undefined);
    }
    chat.dispose({ disposeSequence: false });
  }
}

async function planTurn(runtime: LlamaRuntime, request: ModelRequest): Promise<Plan> {
  const tools = request.toolChoice === 'none' ? [] : request.tools;
  const choice = request.toolChoice;
  if (tools.length > 0 && choice !== 'auto') {
    const chosen =
      typeof choice === 'object' ? tools.filter((tool) => tool.name === choice.toolName) : tools;
    if (chosen.length === 0)
      throw new ModelCallError('The tool_choice names no offered tool.', 'invalid_prompt', false);
    const named = chosen.length === 1;
    const schema = named
      ? chosen[0]!.parameters
      : {
          oneOf: chosen.map((tool) => ({
            type: 'object',
            properties: { name: { const: tool.name }, arguments: tool.parameters },
            required: ['name', 'arguments'],
            additionalProperties: false,
          })),
        };
    return {
      kind: 'forced-call',
      grammar: await grammarFor(runtime, schema),
      tools: chosen,
      named,
    };
  }
  if (tools.length > 0) {
    const functions: Record<string, { description?: string; params: GbnfJsonSchema }> = {};
    for (const tool of tools)
      functions[tool.name] = {
        ...(tool.description ? { description: tool.description } : {}),
        params: tool.parameters as GbnfJsonSchema,
      };
    return { kind: 'functions', functions };
  }
  const format = request.responseFormat;
  if (format?.type !== 'json') return { kind: 'text' };
  return {
    kind: 'text',
    grammar: format.schema
      ? await grammarFor(runtime, format.schema)
      : await runtime.llama.getGrammarFor('json'),
  };
}

async function grammarFor(runtime: LlamaRuntime, schema: object): Promise<LlamaGrammar> {
  try {
    // The schema is the client's: node-llama-cpp checks it when it builds the grammar.
    const create = runtime.llama.createGrammarForJsonSchema.bind(runtime.llama) as (
      schema: object,
    ) => Promise<LlamaGrammar>;
    return await create(schema);
  } catch (error) {
    throw new ModelCallError(
      `This JSON schema cannot constrain a local model's output: ${(error as Error).message}`,
      'invalid_prompt',
      false,
      { cause: error },
    );
  }
}

function forcedCallInstructions(tools: ModelTool[]): string {
  const listed = tools.map(
    (tool) =>
      `- ${tool.name}${tool.description ? `: ${tool.description}` : ''}\n  parameters: ${JSON.stringify(tool.parameters)}`,
  );
  return tools.length === 1
    ? `Call the function ${tools[0]!.name}. Answer with its arguments as one JSON object.\n${listed[0]}`
    : `Call one of these functions. Answer with {"name": …, "arguments": {…}}.\n${listed.join('\n')}`;
}

function* finishParts(
  plan: Plan,
  result: LlamaChatResponse<ChatModelFunctions>,
  streamingCalls: Map<number, string>,
  forcedId: string | undefined,
): Generator<ModelStreamPart> {
  if (plan.kind === 'forced-call') {
    if (forcedId) {
      const toolName = plan.tools[0]!.name;
      yield { type: 'tool-call-end', toolCallId: forcedId, toolName, arguments: result.response };
      return;
    }
    if (result.metadata.stopReason === 'maxTokens')
      throw new ModelCallError(
        'The local model reached its token limit before its function call was complete.',
        'server_error',
        false,
      );
    const call = JSON.parse(result.response) as { name: string; arguments: unknown };
    const id = newCallId();
    const args = JSON.stringify(call.arguments);
    yield { type: 'tool-call-start', toolCallId: id, toolName: call.name };
    yield { type: 'tool-call-delta', toolCallId: id, argumentsDelta: args };
    yield { type: 'tool-call-end', toolCallId: id, toolName: call.name, arguments: args };
    return;
  }
  for (const [index, call] of (result.functionCalls ?? []).entries()) {
    let id = streamingCalls.get(index);
    if (!id) {
      id = newCallId();
      yield { type: 'tool-call-start', toolCallId: id, toolName: call.functionName };
    }
    const args = JSON.stringify(call.params ?? {});
    yield { type: 'tool-call-end', toolCallId: id, toolName: call.functionName, arguments: args };
  }
}

function finishReason(
  plan: Plan,
  result: LlamaChatResponse<ChatModelFunctions>,
): ModelFinishReason {
  if (result.metadata.stopReason === 'maxTokens') return 'length';
  return plan.kind === 'forced-call' || (result.functionCalls?.length ?? 0) > 0
    ? 'tool-calls'
    : 'stop';
}

function newCallId(): string {
  return `call_${randomBytes(12).toString('base64url')}`;
}
