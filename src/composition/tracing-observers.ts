/**
 * Where tracing hears what happens, without the layers knowing it (like `metrics-observers.ts`): a
 * span per HTTP request (continuing an incoming `traceparent`), per model call and per server-tool
 * call. Installed only when tracing is on. Content (prompts, outputs, tool arguments and results)
 * goes into spans only when the operator opted in.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/config-schema.ts';
import type {
  LanguageModel,
  ModelFinishReason,
  ModelMessage,
  ModelRequest,
  ModelResolver,
  ModelStreamPart,
} from '../models/language-model.ts';
import { Concierge, GenAi } from '../telemetry/gen-ai-attributes.ts';
import { contextFromHeaders } from '../telemetry/trace-propagation.ts';
import {
  contextWithSpan,
  markFailed,
  recordFailure,
  runInContext,
  SpanKind,
  startSpan,
  withSpan,
  type Context,
  type Span,
} from '../telemetry/tracer.ts';
import type { ServerTool, ToolExecution } from '../tools/tool.ts';

/**
 * A Fastify plugin: a server span per request named by method and route pattern (never a URL with
 * ids), ended when the response ends (streams included); the handler runs inside it.
 */
export function httpTracingPlugin() {
  return (app: FastifyInstance) => {
    const requestContexts = new WeakMap<FastifyRequest, Context>();
    app.addHook('onRequest', (request, reply, done) => {
      const route = request.routeOptions.url;
      const parent = contextFromHeaders(request.headers);
      const span = startSpan(route ? `${request.method} ${route}` : request.method, {
        kind: SpanKind.SERVER,
        parent,
        attributes: {
          'http.request.method': request.method,
          ...(route ? { 'http.route': route } : {}),
          'url.path': request.url.split('?')[0],
        },
      });
      requestContexts.set(request, contextWithSpan(span, parent));
      reply.raw.once('close', () => {
        const status = reply.raw.statusCode;
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) markFailed(span, `HTTP ${status}`);
        span.end();
      });
      done();
    });
    // The handler is called from this hook's `done`, so it (and what it awaits) runs in the span.
    app.addHook('preHandler', (request, _reply, done) => {
      const active = requestContexts.get(request);
      if (active) runInContext(active, done);
      else done();
    });
  };
}

/** The well-known `gen_ai.provider.name` of a provider type (an OpenAI-compatible one speaks OpenAI's API). */
function providerNameOf(type: string): string {
  return type === 'anthropic' ? 'anthropic' : 'openai';
}

/** The configured provider a model name routes to (as the resolver routes it), and its type. */
function providerOf(config: Config, modelName: string): { name: string; type: string } {
  const slash = modelName.indexOf('/');
  const prefix = slash > 0 ? modelName.slice(0, slash) : undefined;
  if (prefix && prefix !== 'default' && Object.hasOwn(config.providers, prefix))
    return { name: prefix, type: config.providers[prefix]!.type };
  return { name: 'default', type: config.providers['default']?.type ?? 'openai-compatible' };
}

const FINISH_REASONS: Record<ModelFinishReason, string> = {
  stop: 'stop',
  length: 'length',
  'tool-calls': 'tool_calls',
  'content-filter': 'content_filter',
  error: 'error',
  other: 'other',
};

/** Messages as the conventions' JSON, images named by type only (never their bytes). */
function messagesJson(messages: ModelMessage[]): string {
  return JSON.stringify(
    messages.map((message) => ({
      role: message.role,
      parts: message.content.map((part) =>
        part.type === 'image' ? { type: 'image', media_type: part.mediaType } : part,
      ),
    })),
  );
}

function requestAttributes(request: ModelRequest, captureContent: boolean) {
  return {
    [GenAi.requestModel]: request.model,
    ...(request.temperature !== undefined
      ? { [GenAi.requestTemperature]: request.temperature }
      : {}),
    ...(request.topP !== undefined ? { [GenAi.requestTopP]: request.topP } : {}),
    ...(request.maxOutputTokens !== undefined
      ? { [GenAi.requestMaxTokens]: request.maxOutputTokens }
      : {}),
    ...(captureContent
      ? {
          ...(request.system ? { [GenAi.systemInstructions]: request.system } : {}),
          [GenAi.inputMessages]: messagesJson(request.messages),
        }
      : {}),
  };
}

/** One model call as a client span; the provider's HTTP request is sent inside it (its traceparent). */
function tracedStream(
  stream: () => AsyncIterable<ModelStreamPart>,
  span: Span,
  active: Context,
  captureContent: boolean,
): AsyncIterable<ModelStreamPart> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = runInContext(active, () => stream()[Symbol.asyncIterator]());
      let text = '';
      const calls: Array<{ type: 'tool_call'; id: string; name: string; arguments: string }> = [];
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        if (captureContent)
          span.setAttribute(
            GenAi.outputMessages,
            JSON.stringify([
              {
                role: 'assistant',
                parts: [...(text ? [{ type: 'text', content: text }] : []), ...calls],
              },
            ]),
          );
        span.end();
      };
      const observe = (part: ModelStreamPart) => {
        if (part.type === 'finish') {
          span.setAttribute(GenAi.responseFinishReasons, [FINISH_REASONS[part.finishReason]]);
          if (part.usage.inputTokens !== undefined)
            span.setAttribute(GenAi.usageInputTokens, part.usage.inputTokens);
          if (part.usage.outputTokens !== undefined)
            span.setAttribute(GenAi.usageOutputTokens, part.usage.outputTokens);
        } else if (captureContent && part.type === 'text-delta') text += part.delta;
        else if (captureContent && part.type === 'tool-call-end')
          calls.push({
            type: 'tool_call',
            id: part.toolCallId,
            name: part.toolName,
            arguments: part.arguments,
          });
      };
      const onPart = (result: IteratorResult<ModelStreamPart>) => {
        if (result.done) end();
        else observe(result.value);
      };
      const onFailure = (error: unknown) => {
        recordFailure(span, error);
        end();
      };
      // The model's own promises go to the reader, each watched by a callback registered before the
      // reader's (it sees the part first): a part costs no promise hop here (an `async next` cost one).
      return {
        next() {
          let pending: Promise<IteratorResult<ModelStreamPart>>;
          try {
            pending = runInContext(active, () => iterator.next());
          } catch (error) {
            onFailure(error);
            return Promise.reject(error);
          }
          // The failure is the reader's to see; this branch only records it on the span.
          pending.then(onPart, onFailure);
          return pending;
        },
        async return(value?: unknown) {
          end();
          return (await iterator.return?.(value)) ?? { done: true, value: undefined };
        },
      };
    },
  };
}

/** The resolver, with each model call a `chat {model}` span with the GenAI attributes. */
export function tracedModels(
  models: ModelResolver,
  config: Config,
  captureContent: boolean,
): ModelResolver {
  return {
    resolve(modelName) {
      const resolved = models.resolve(modelName);
      const provider = providerOf(config, modelName);
      const model: LanguageModel = {
        stream: (request, signal) => {
          const span = startSpan(`chat ${request.model}`, {
            kind: SpanKind.CLIENT,
            attributes: {
              [GenAi.operationName]: 'chat',
              [GenAi.providerName]: providerNameOf(provider.type),
              [GenAi.system]: providerNameOf(provider.type),
              [Concierge.provider]: provider.name,
              ...requestAttributes(request, captureContent),
            },
          });
          return tracedStream(
            () => resolved.model.stream(request, signal),
            span,
            contextWithSpan(span),
            captureContent,
          );
        },
      };
      return { ...resolved, model };
    },
  };
}

function withToolSpan(
  tool: ServerTool,
  toolName: string,
  callId: string,
  argumentsText: string,
  captureContent: boolean,
  work: () => Promise<ToolExecution>,
): Promise<ToolExecution> {
  return withSpan(
    `execute_tool ${toolName}`,
    {
      attributes: {
        [GenAi.operationName]: 'execute_tool',
        [GenAi.toolName]: toolName,
        [GenAi.toolType]: tool.type === 'file_search' ? 'datastore' : 'extension',
        [GenAi.toolCallId]: callId,
        ...(captureContent ? { [GenAi.toolCallArguments]: argumentsText } : {}),
      },
    },
    async (span) => {
      const execution = await work();
      span.setAttribute(Concierge.toolOutcome, execution.kind);
      if (captureContent && execution.kind === 'completed')
        span.setAttribute(GenAi.toolCallResult, execution.output);
      return execution;
    },
  );
}

/** The server tools, with each execution (and each resumption after an answer) an `execute_tool` span. */
export function tracedServerTools(tools: ServerTool[], captureContent: boolean): ServerTool[] {
  return tools.map((tool) => {
    const resume = tool.resume;
    return {
      type: tool.type,
      modelTools: (enabled, context) => tool.modelTools(enabled, context),
      handles: (toolName) => tool.handles(toolName),
      begin: (callId, toolName, argumentsText) => tool.begin(callId, toolName, argumentsText),
      execute: (callId, toolName, argumentsText, context) =>
        withToolSpan(tool, toolName, callId, argumentsText, captureContent, () =>
          tool.execute(callId, toolName, argumentsText, context),
        ),
      ...(resume
        ? {
            resume: (callId, toolName, argumentsText, answer, context) =>
              withToolSpan(tool, toolName, callId, argumentsText, captureContent, () =>
                resume.call(tool, callId, toolName, argumentsText, answer, context),
              ),
          }
        : {}),
    } satisfies ServerTool;
  });
}
