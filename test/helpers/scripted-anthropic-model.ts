/**
 * A scripted model speaking Anthropic's Messages API (streaming events), for testing the Anthropic
 * provider adapter over HTTP. Turns are thinking (an extended-thinking block with its signature),
 * text and/or tool calls; every request body is recorded.
 */
import { createServer, type Server } from 'node:http';
import {
  assertKnownFields,
  assertKnownFieldsOfEach,
  type Exact,
  type FieldList,
} from './scripted-fields.ts';

export interface AnthropicTurn {
  thinking?: string;
  /** The thinking block's signature (`sig` unless given). */
  signature?: string;
  text?: string;
  toolCalls?: Array<{ id: string; name: string; input: Record<string, unknown> }>;
}

type AnthropicToolCall = NonNullable<AnthropicTurn['toolCalls']>[number];
const TURN_FIELDS: FieldList<AnthropicTurn> = {
  thinking: true,
  signature: true,
  text: true,
  toolCalls: true,
};
const TOOL_CALL_FIELDS: FieldList<AnthropicToolCall> = { id: true, name: true, input: true };

export class ScriptedAnthropicModel {
  readonly requests: any[] = [];
  private readonly turns: AnthropicTurn[] = [];
  private server: Server | undefined;
  url = '';

  /** Queues turns, answered in order. Throws on a turn with an unknown field (scripted-fields.ts). */
  enqueue<const Turns extends AnthropicTurn[]>(
    ...turns: { [Index in keyof Turns]: Exact<Turns[Index], AnthropicTurn> }
  ): this {
    turns.forEach((turn, index) => {
      assertKnownFields(`enqueue: turn ${index}`, turn, TURN_FIELDS);
      assertKnownFieldsOfEach(`enqueue: turn ${index}.toolCalls`, turn.toolCalls, TOOL_CALL_FIELDS);
    });
    this.turns.push(...turns);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer(async (request, response) => {
      let raw = '';
      for await (const chunk of request) raw += chunk;
      const body = JSON.parse(raw);
      this.requests.push({ headers: request.headers, body });
      const turn = this.turns.shift() ?? { text: 'no turn queued' };
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (event: string, data: object) =>
        response.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
      send('message_start', {
        message: {
          id: 'msg_scripted',
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: [],
          stop_reason: null,
          usage: { input_tokens: 42, output_tokens: 0 },
        },
      });
      let index = 0;
      if (turn.thinking !== undefined) {
        const block = { type: 'thinking', thinking: '', signature: '' };
        send('content_block_start', { index, content_block: block });
        for (const word of turn.thinking.match(/\S+\s*/g) ?? [])
          send('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: word } });
        send('content_block_delta', {
          index,
          delta: { type: 'signature_delta', signature: turn.signature ?? 'sig' },
        });
        send('content_block_stop', { index });
        index++;
      }
      if (turn.text !== undefined) {
        send('content_block_start', { index, content_block: { type: 'text', text: '' } });
        for (const word of turn.text.match(/\S+\s*/g) ?? [])
          send('content_block_delta', { index, delta: { type: 'text_delta', text: word } });
        send('content_block_stop', { index });
        index++;
      }
      for (const call of turn.toolCalls ?? []) {
        send('content_block_start', {
          index,
          content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
        });
        const json = JSON.stringify(call.input);
        for (let offset = 0; offset < json.length; offset += 6)
          send('content_block_delta', {
            index,
            delta: { type: 'input_json_delta', partial_json: json.slice(offset, offset + 6) },
          });
        send('content_block_stop', { index });
        index++;
      }
      send('message_delta', {
        delta: { stop_reason: turn.toolCalls?.length ? 'tool_use' : 'end_turn' },
        usage: { output_tokens: 7 },
      });
      send('message_stop', {});
      response.end();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v1`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
