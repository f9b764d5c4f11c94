/**
 * The model port over an OpenAI-compatible chat-completions endpoint, without the AI SDK: one HTTP
 * request (node:http, keep-alive), its SSE read with eventsource-parser, and each chunk mapped to our
 * parts as it arrives. It exists for latency: the AI SDK's web-stream pipeline and per-chunk schema
 * validation cost a few milliseconds before the first token (bench/README.md). Anthropic and OpenAI's
 * own provider stay on the AI SDK. The wire format is what the scripted-model tests pin.
 */
import http from 'node:http';
import https from 'node:https';
import { createParser } from 'eventsource-parser';
import {
  type LanguageModel,
  type ModelFinishReason,
  type ModelRequest,
  type ModelStreamPart,
} from '../language-model.ts';
import { httpStatusError, unreachableError } from '../model-call-errors.ts';
import { chatCompletionBody } from './openai-chat-body.ts';
import { injectTraceHeaders } from '../../telemetry/trace-propagation.ts';

export interface OpenAIChatSettings {
  baseURL: string;
  /** The model id as the upstream knows it. */
  modelId: string;
  apiKey?: string;
  headers?: Record<string, string>;
}

/** The chunk fields we read; anything else the upstream sends is ignored. */
interface ChatChunk {
  error?: unknown;
  usage?: {
    prompt_tokens?: number | null;
    completion_tokens?: number | null;
    completion_tokens_details?: { reasoning_tokens?: number | null } | null;
  } | null;
  choices?: Array<{
    finish_reason?: string | null;
    delta?: {
      content?: string | Array<{ type?: string; text?: unknown }> | null;
      /** Reasoning text: `reasoning_content` (vLLM, DeepSeek, LM Studio) or `reasoning` (Ollama, OpenRouter). */
      reasoning_content?: unknown;
      reasoning?: unknown;
      refusal?: unknown;
      tool_calls?: Array<{
        index?: number;
        id?: string | null;
        function?: { name?: string | null; arguments?: string | null };
      }> | null;
    } | null;
  }>;
}

interface OpenCall {
  id: string;
  name: string;
  arguments: string;
}

const FINISH: Record<string, ModelFinishReason> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content-filter',
  function_call: 'tool-calls',
  tool_calls: 'tool-calls',
};

/** Turns chunks into parts: text, tool calls (ended when the stream ends), and the finish. */
class ChunkMapper {
  private readonly calls = new Map<number, OpenCall>();
  private finishReason: string | undefined;
  private refused = false;
  private usage: ChatChunk['usage'];
  private generated = 0;

  map(chunk: ChatChunk, out: ModelStreamPart[]): void {
    if (chunk.error !== undefined) throw new Error(errorText(chunk.error));
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (choice?.finish_reason) this.finishReason = choice.finish_reason;
    const delta = choice?.delta;
    if (!delta) return;
    // An upstream that sends both fields sends the same text twice; the first one is read.
    const reasoning = [delta.reasoning_content, delta.reasoning].find(
      (field) => typeof field === 'string' && field !== '',
    );
    if (typeof reasoning === 'string') out.push({ type: 'reasoning-delta', delta: reasoning });
    const content = delta.content;
    if (typeof content === 'string') {
      if (content !== '') out.push({ type: 'text-delta', delta: content });
    } else if (Array.isArray(content)) {
      for (const part of content)
        if (part.type === 'text' && typeof part.text === 'string' && part.text !== '')
          out.push({ type: 'text-delta', delta: part.text });
    }
    if (typeof delta.refusal === 'string' && delta.refusal !== '') {
      this.refused = true;
      out.push({ type: 'text-delta', delta: delta.refusal });
    }
    for (const [position, wire] of (delta.tool_calls ?? []).entries()) {
      const index = wire.index ?? position;
      let call = this.calls.get(index);
      if (!call) {
        const name = wire.function?.name;
        if (!name) continue; // a call starts with its name
        call = {
          id: wire.id || `call_${Date.now().toString(36)}_${this.generated++}`,
          name,
          arguments: '',
        };
        this.calls.set(index, call);
        out.push({ type: 'tool-call-start', toolCallId: call.id, toolName: call.name });
      }
      const fragment = wire.function?.arguments;
      if (fragment) {
        call.arguments += fragment;
        out.push({ type: 'tool-call-delta', toolCallId: call.id, argumentsDelta: fragment });
      }
    }
  }

  /** The parts after the last chunk; throws when the stream ended without a finish reason. */
  end(out: ModelStreamPart[]): void {
    for (const index of [...this.calls.keys()].sort((a, b) => a - b)) {
      const call = this.calls.get(index)!;
      out.push({
        type: 'tool-call-end',
        toolCallId: call.id,
        toolName: call.name,
        arguments: call.arguments,
      });
    }
    if (this.finishReason === undefined)
      throw new Error('Response stream ended without a finish reason.');
    const reason = FINISH[this.finishReason] ?? 'other';
    out.push({
      type: 'finish',
      finishReason: reason === 'stop' && this.refused ? 'content-filter' : reason,
      usage: {
        inputTokens: this.usage ? (this.usage.prompt_tokens ?? 0) : undefined,
        outputTokens: this.usage ? (this.usage.completion_tokens ?? 0) : undefined,
        ...(typeof this.usage?.completion_tokens_details?.reasoning_tokens === 'number'
          ? { reasoningTokens: this.usage.completion_tokens_details.reasoning_tokens }
          : {}),
      },
    });
  }
}

function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : JSON.stringify(error);
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The parts of one call as an async iterator fed by the response's `data` listener: each chunk is
 * parsed (eventsource-parser), mapped and queued, and a waiting `next()` is resolved from the
 * listener. Backpressure: while parts wait in the queue unread, the response is paused (its socket
 * stops being read) and resumed when the reader asks for more. Failures keep today's mapping: an
 * aborted signal ends the call with its reason (queued parts dropped), a broken or bad stream with
 * `unreachableError` after the parts before it.
 */
class ChatPartStream implements AsyncIterableIterator<ModelStreamPart> {
  private readonly queue: ModelStreamPart[] = [];
  private waiter:
    | {
        resolve: (result: IteratorResult<ModelStreamPart>) => void;
        reject: (error: unknown) => void;
      }
    | undefined;
  private response: http.IncomingMessage | undefined;
  private started = false;
  /** The response ended and its last parts are queued. */
  private ended = false;
  private failure: { error: unknown } | undefined;
  /** The reader saw the end or the failure, or returned: nothing more is delivered. */
  private closed = false;
  private readonly onAbort = () => this.fail(this.signal.reason, true);

  constructor(
    private readonly send: () => Promise<http.IncomingMessage>,
    private readonly signal: AbortSignal,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ModelStreamPart>> {
    if (this.queue.length > 0) {
      const value = this.queue.shift()!;
      if (this.queue.length === 0 && this.response?.isPaused() && !this.ended)
        this.response.resume();
      return Promise.resolve({ done: false, value });
    }
    if (this.failure) {
      const { error } = this.failure;
      if (this.closed) return Promise.resolve(DONE);
      this.close();
      return Promise.reject(error);
    }
    if (this.ended || this.closed) {
      this.close();
      return Promise.resolve(DONE);
    }
    if (!this.started) this.start();
    if (this.waiter) return Promise.reject(new Error('The model call is already being read.'));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      if (this.response?.isPaused()) this.response.resume();
      // A failure while starting (an aborted signal) is delivered now.
      this.deliver();
    });
  }

  return(): Promise<IteratorResult<ModelStreamPart>> {
    this.queue.length = 0;
    this.close();
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve(DONE);
    return Promise.resolve(DONE);
  }

  private start(): void {
    this.started = true;
    if (this.signal.aborted) return this.fail(this.signal.reason, true);
    this.signal.addEventListener('abort', this.onAbort, { once: true });
    this.send().then(
      (response) => this.read(response),
      (error: unknown) => this.fail(error, false),
    );
  }

  private read(response: http.IncomingMessage): void {
    this.response = response;
    if (this.closed || this.failure) {
      response.destroy();
      return;
    }
    const mapper = new ChunkMapper();
    let failure: unknown;
    const parser = createParser({
      onEvent: (event) => {
        if (failure !== undefined || event.data === '[DONE]') return;
        try {
          mapper.map(JSON.parse(event.data) as ChatChunk, this.queue);
        } catch (error) {
          failure = error;
        }
      },
    });
    response.setEncoding('utf8');
    response.on('data', (text: string) => {
      if (this.failure || this.closed) return;
      parser.feed(text);
      if (failure !== undefined) return this.fail(unreachableError(failure), false);
      this.deliver();
    });
    response.once('end', () => {
      if (this.failure || this.closed) return;
      if (this.signal.aborted) return this.fail(this.signal.reason, true);
      try {
        mapper.end(this.queue);
      } catch (error) {
        return this.fail(unreachableError(error), false);
      }
      this.ended = true;
      this.deliver();
    });
    response.once('error', (error) =>
      this.fail(this.signal.aborted ? this.signal.reason : unreachableError(error), false),
    );
    response.once('close', () => {
      if (!this.ended)
        this.fail(
          this.signal.aborted ? this.signal.reason : unreachableError(new Error('Premature close')),
          false,
        );
    });
  }

  /** Hands the reader what is ready; pauses the response while parts wait unread. */
  private deliver(): void {
    const waiter = this.waiter;
    if (waiter) {
      if (this.queue.length > 0) {
        this.waiter = undefined;
        waiter.resolve({ done: false, value: this.queue.shift()! });
      } else if (this.failure) {
        this.waiter = undefined;
        const { error } = this.failure;
        this.close();
        waiter.reject(error);
      } else if (this.ended) {
        this.waiter = undefined;
        this.close();
        waiter.resolve(DONE);
      }
    }
    if (this.queue.length > 0 && !this.ended && this.response && !this.response.isPaused())
      this.response.pause();
  }

  /** Ends the call with `error`, after the queued parts unless `drop` (an abort stops at once). */
  private fail(error: unknown, drop: boolean): void {
    if (this.failure || this.closed) return;
    this.failure = { error };
    if (drop) this.queue.length = 0;
    this.release();
    this.deliver();
  }

  private close(): void {
    this.closed = true;
    this.release();
  }

  private release(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.response?.destroy();
  }
}

/** Characters of an error response's body read before the call gives up on the rest. */
const MAX_ERROR_BODY_CHARACTERS = 4096;

export class OpenAIChatLanguageModel implements LanguageModel {
  private readonly url: URL;
  private readonly headers: Record<string, string>;
  private readonly modelId: string;

  constructor(settings: OpenAIChatSettings) {
    this.modelId = settings.modelId;
    this.url = new URL(`${settings.baseURL.replace(/\/+$/, '')}/chat/completions`);
    this.headers = {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
      ...settings.headers,
    };
  }

  /**
   * The call's parts, delivered from the response's `data` listener: one iterator over a queue, no
   * generator or stream iterator in between, so a token reaches the reader in one promise hop. The
   * request starts with the first `next()`.
   */
  stream(request: ModelRequest, signal: AbortSignal): AsyncIterableIterator<ModelStreamPart> {
    return new ChatPartStream(
      () => this.post(JSON.stringify(chatCompletionBody(request, this.modelId)), signal),
      signal,
    );
  }

  /** Sends the request; resolves with a 2xx response, else throws the status's ModelCallError. */
  private post(body: string, signal: AbortSignal): Promise<http.IncomingMessage> {
    const transport = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const outgoing = transport.request(this.url, {
        method: 'POST',
        // The model call's trace context, when tracing is on (nothing is added when it is off).
        headers: {
          ...injectTraceHeaders({ ...this.headers }),
          'content-length': Buffer.byteLength(body),
        },
        signal,
      });
      outgoing.once('error', (error) =>
        reject(signal.aborted ? signal.reason : unreachableError(error)),
      );
      outgoing.once('response', (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(response);
        // The error's words are cut to 500 characters: reading more of a body that may never end
        // would only hold memory and the call.
        let text = '';
        const refuse = () => reject(httpStatusError(status, text || `HTTP ${status}`));
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          if (text.length < MAX_ERROR_BODY_CHARACTERS) return;
          refuse();
          response.destroy();
        });
        response.once('end', refuse);
        response.once('error', (error) => reject(unreachableError(error)));
      });
      outgoing.end(body);
    });
  }
}
