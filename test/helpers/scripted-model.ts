/**
 * A scripted model for tests: an HTTP server that speaks OpenAI's chat-completions wire format
 * (streaming SSE chunks with tool calls and usage, or plain JSON), so the real provider adapter runs
 * against it. Each request takes the next scripted turn, or a turn computed by `respondWith`.
 * Every request body is recorded for assertions about what was sent upstream.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  assertKnownFields,
  assertKnownFieldsOfEach,
  type Exact,
  type FieldList,
} from './scripted-fields.ts';

export interface ScriptedToolCall {
  name: string;
  arguments: string | Record<string, unknown>;
  id?: string;
}

export interface ScriptedTurn {
  /**
   * Reasoning streamed before the answer as `delta.reasoning_content` chunks, one per word (vLLM's and
   * DeepSeek's field), or as `delta.reasoning` with `reasoningField: 'reasoning'` (Ollama's and
   * OpenRouter's). A non-streamed answer carries it as `message.reasoning_content`.
   */
  reasoning?: string;
  reasoningField?: 'reasoning_content' | 'reasoning';
  /** Reported as `usage.completion_tokens_details.reasoning_tokens`. */
  reasoningTokens?: number;
  /** Text streamed as one chunk per word, or exactly these chunks. */
  text?: string;
  chunks?: string[];
  toolCalls?: ScriptedToolCall[];
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Answer with this HTTP error instead. */
  error?: { status: number; message?: string };
  /** Wait this long before the response starts. */
  delayMs?: number;
  /** Wait for this before the response starts (a run held active until a test lets it go). */
  gate?: Promise<unknown>;
  /** Wait this long between chunks. */
  chunkDelayMs?: number;
  /** Stop sending (but keep the connection open) after this many chunks. */
  stallAfterChunks?: number;
}

const TURN_FIELDS: FieldList<ScriptedTurn> = {
  reasoning: true,
  reasoningField: true,
  reasoningTokens: true,
  text: true,
  chunks: true,
  toolCalls: true,
  finishReason: true,
  usage: true,
  error: true,
  delayMs: true,
  gate: true,
  chunkDelayMs: true,
  stallAfterChunks: true,
};
const TOOL_CALL_FIELDS: FieldList<ScriptedToolCall> = { name: true, arguments: true, id: true };
const ERROR_FIELDS: FieldList<NonNullable<ScriptedTurn['error']>> = { status: true, message: true };
const USAGE_FIELDS: FieldList<NonNullable<ScriptedTurn['usage']>> = {
  prompt_tokens: true,
  completion_tokens: true,
};

/** Throws on a turn with a field the scripted model does not read (see scripted-fields.ts). */
export function assertScriptedTurn(turn: unknown, what = 'scripted turn'): void {
  assertKnownFields(what, turn, TURN_FIELDS);
  const { toolCalls, error, usage } = turn as ScriptedTurn;
  assertKnownFieldsOfEach(`${what}.toolCalls`, toolCalls, TOOL_CALL_FIELDS);
  if (error !== undefined) assertKnownFields(`${what}.error`, error, ERROR_FIELDS);
  if (usage !== undefined) assertKnownFields(`${what}.usage`, usage, USAGE_FIELDS);
}

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export class ScriptedModel {
  readonly requests: RecordedRequest[] = [];
  /** Responses whose client went away before the response ended (an aborted upstream call). */
  abortedResponses = 0;
  /** Turns `respondWith` computed with unknown fields (answered with a 500); `stop` throws them. */
  readonly scriptErrors: Error[] = [];
  private readonly turns: ScriptedTurn[] = [];
  private responder: ((body: any, index: number) => ScriptedTurn) | undefined;
  private server: Server | undefined;
  private readonly open = new Set<ServerResponse>();
  /** Base URL, e.g. `http://127.0.0.1:1234/v1`. */
  url = '';

  /** Queues turns, answered in order. Throws on a turn with an unknown field. */
  enqueue<const Turns extends ScriptedTurn[]>(
    ...turns: { [Index in keyof Turns]: Exact<Turns[Index], ScriptedTurn> }
  ): this {
    turns.forEach((turn, index) => assertScriptedTurn(turn, `enqueue: turn ${index}`));
    this.turns.push(...turns);
    return this;
  }

  /**
   * Computes a turn for every request that finds the queue empty. A computed turn with an unknown
   * field is answered with a 500 naming it, and `stop` throws it (failing the test's teardown).
   */
  respondWith<Turn extends ScriptedTurn>(
    responder: (body: any, index: number) => Exact<Turn, ScriptedTurn>,
  ): this {
    this.responder = responder;
    return this;
  }

  /** Turns queued and not yet answered. */
  get pendingTurns(): number {
    return this.turns.length;
  }

  get lastRequest(): any {
    return this.requests[this.requests.length - 1]?.body;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1`;
    return this;
  }

  /** Stops the server; throws if `respondWith` computed a turn with unknown fields. */
  async stop(): Promise<void> {
    for (const response of this.open) response.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    if (this.scriptErrors.length > 0) throw this.scriptErrors[0];
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of request) raw += chunk;
    const body = raw ? JSON.parse(raw) : {};
    const index = this.requests.length;
    this.requests.push({ path: request.url ?? '', headers: request.headers, body });
    if (request.url?.endsWith('/embeddings')) return this.embed(body, response);
    const turn = this.turns.shift() ?? this.responder?.(body, index);
    if (turn) {
      // Queued turns were checked by `enqueue`; this catches what `respondWith` computed.
      try {
        assertScriptedTurn(turn, `turn for request ${index}`);
      } catch (error) {
        this.scriptErrors.push(error as Error);
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: String(error), type: 'server_error' } }));
        return;
      }
    }
    if (!turn) {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: {
            message: 'scripted model: no turn queued for this request',
            type: 'server_error',
          },
        }),
      );
      return;
    }
    this.open.add(response);
    response.on('close', () => {
      this.open.delete(response);
      if (!response.writableEnded) this.abortedResponses++;
    });
    if (turn.delayMs) await sleep(turn.delayMs);
    if (turn.gate) await turn.gate;
    if (turn.error) {
      response.writeHead(turn.error.status, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: {
            message: turn.error.message ?? `scripted error ${turn.error.status}`,
            type: 'scripted',
          },
        }),
      );
      return;
    }
    if (body.stream) await this.stream(turn, body, response);
    else this.complete(turn, body, response);
  }

  /** `/embeddings`: a unit vector per input, the same for all (enough to index and search). */
  private embed(body: { model: string; input: string | string[] }, response: ServerResponse) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const tokens = inputs.reduce((sum, text) => sum + text.split(/\s+/).length, 0);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        object: 'list',
        data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [1, 0, 0] })),
        model: body.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      }),
    );
  }

  private usageFor(turn: ScriptedTurn, body: any, completionParts: number) {
    const details =
      turn.reasoningTokens !== undefined
        ? { completion_tokens_details: { reasoning_tokens: turn.reasoningTokens } }
        : {};
    if (turn.usage)
      return {
        ...turn.usage,
        total_tokens: turn.usage.prompt_tokens + turn.usage.completion_tokens,
        ...details,
      };
    const prompt = Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
    return {
      prompt_tokens: prompt,
      completion_tokens: completionParts,
      total_tokens: prompt + completionParts,
      ...details,
    };
  }

  private complete(turn: ScriptedTurn, body: any, response: ServerResponse): void {
    const text = turn.text ?? turn.chunks?.join('') ?? null;
    const toolCalls = (turn.toolCalls ?? []).map((call, index) => ({
      id: call.id ?? `call_scripted_${index}`,
      type: 'function',
      function: {
        name: call.name,
        arguments:
          typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      },
    }));
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        id: 'chatcmpl-scripted',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: text,
              ...(turn.reasoning !== undefined ? { reasoning_content: turn.reasoning } : {}),
              ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
            },
            finish_reason: turn.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop'),
          },
        ],
        usage: this.usageFor(turn, body, (text ?? '').split(/\s+/).length),
      }),
    );
  }

  private async stream(turn: ScriptedTurn, body: any, response: ServerResponse): Promise<void> {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const base = {
      id: 'chatcmpl-scripted',
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
    };
    const chunks: object[] = [];
    const field = turn.reasoningField ?? 'reasoning_content';
    const thoughts = turn.reasoning?.match(/\S+\s*|\s+/g) ?? [];
    thoughts.forEach((thought, index) =>
      chunks.push({
        ...base,
        choices: [
          {
            index: 0,
            delta:
              index === 0
                ? { role: 'assistant', content: null, [field]: thought }
                : { [field]: thought },
            finish_reason: null,
          },
        ],
      }),
    );
    const texts =
      turn.chunks ?? (turn.text !== undefined ? (turn.text.match(/\S+\s*|\s+/g) ?? []) : []);
    texts.forEach((content, index) =>
      chunks.push({
        ...base,
        choices: [
          {
            index: 0,
            delta:
              index === 0 && thoughts.length === 0 ? { role: 'assistant', content } : { content },
            finish_reason: null,
          },
        ],
      }),
    );
    (turn.toolCalls ?? []).forEach((call, index) => {
      const argumentsText =
        typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
      chunks.push({
        ...base,
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [
                {
                  index,
                  id: call.id ?? `call_scripted_${index}`,
                  type: 'function',
                  function: { name: call.name, arguments: '' },
                },
              ],
            },
            finish_reason: null,
          },
        ],
      });
      for (let offset = 0; offset < argumentsText.length; offset += 8) {
        chunks.push({
          ...base,
          choices: [
            {
              index: 0,
              delta: {
                tool_calls: [
                  { index, function: { arguments: argumentsText.slice(offset, offset + 8) } },
                ],
              },
              finish_reason: null,
            },
          ],
        });
      }
    });
    const finish = turn.finishReason ?? (turn.toolCalls?.length ? 'tool_calls' : 'stop');
    chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }] });
    if (body.stream_options?.include_usage)
      chunks.push({
        ...base,
        choices: [],
        usage: this.usageFor(turn, body, thoughts.length + texts.length),
      });
    for (let index = 0; index < chunks.length; index++) {
      if (turn.stallAfterChunks !== undefined && index >= turn.stallAfterChunks) return; // keep the connection open, send nothing more
      if (response.destroyed) return;
      response.write(`data: ${JSON.stringify(chunks[index])}\n\n`);
      if (turn.chunkDelayMs) await sleep(turn.chunkDelayMs);
    }
    response.end('data: [DONE]\n\n');
  }
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Starts a scripted model; remember to `stop()` it. */
export async function startScriptedModel(): Promise<ScriptedModel> {
  return new ScriptedModel().start();
}
