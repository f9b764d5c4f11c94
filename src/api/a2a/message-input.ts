/**
 * What an A2A caller sends, in Concierge's terms. A new message becomes a user message: text parts as
 * text, data parts as fenced JSON, images (inline or by URL) as image content, other files by reference.
 * A reply to a task that waits for input becomes the run's tool outputs.
 */
import type { Message as A2aMessage, Part } from '@a2a-js/sdk';
import { ContentTypeNotSupportedError, RequestMalformedError } from '@a2a-js/sdk/errors';
import type { FunctionToolCall } from '../../domain/run.ts';
import type { MessageCreateParams } from '../shared/message.schemas.ts';

type ContentPart = Exclude<MessageCreateParams['content'], string>[number];

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/gif', 'image/webp']);

function partToContent(part: Part, index: number): ContentPart {
  const content = part.content;
  switch (content?.$case) {
    case 'text':
      return { type: 'text', text: content.value };
    case 'data':
      return {
        type: 'text',
        text: `\`\`\`json\n${JSON.stringify(content.value, null, 2)}\n\`\`\``,
      };
    case 'url':
      if (IMAGE_TYPES.has(part.mediaType.toLowerCase()) && /^https?:\/\//i.test(content.value))
        return { type: 'image_url', image_url: { url: content.value } };
      return {
        type: 'text',
        text: `[file ${part.filename || 'attachment'}${part.mediaType ? ` (${part.mediaType})` : ''}: ${content.value}]`,
      };
    case 'raw':
      if (IMAGE_TYPES.has(part.mediaType.toLowerCase())) {
        return {
          type: 'image_url',
          image_url: {
            url: `data:${part.mediaType.toLowerCase()};base64,${Buffer.from(content.value).toString('base64')}`,
          },
        };
      }
      throw new ContentTypeNotSupportedError(
        `Part ${index} is a ${part.mediaType || 'binary'} file sent inline; only png, jpeg, gif and webp images are accepted inline. Upload other files to /v1/files and send a text or URL part instead.`,
      );
    default:
      throw new RequestMalformedError(`Part ${index} has no content (text, data, url or raw).`);
  }
}

/** The content of the user message for a new task. */
export function userContentOf(message: A2aMessage): ContentPart[] {
  if (message.parts.length === 0) throw new RequestMalformedError('The message has no parts.');
  return message.parts.map(partToContent);
}

function dataParts(message: A2aMessage): unknown[] {
  return message.parts.flatMap((part) =>
    part.content?.$case === 'data' ? [part.content.value] : [],
  );
}

function textOf(message: A2aMessage): string {
  return message.parts
    .flatMap((part) => (part.content?.$case === 'text' ? [part.content.value] : []))
    .join('\n');
}

function isToolOutputs(value: unknown): value is { tool_outputs: unknown } {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && 'tool_outputs' in value
  );
}

/**
 * The tool outputs a reply carries: a data part `{tool_outputs: [...]}`, or, when the run waits for a
 * single call, the reply itself (its data part as JSON, else its text). The runs service checks ids.
 */
export function toolOutputsOf(
  message: A2aMessage,
  pending: FunctionToolCall[],
): Array<{ tool_call_id: string; output: string }> {
  const data = dataParts(message);
  const explicit = data.find(isToolOutputs);
  if (explicit) {
    const outputs = explicit.tool_outputs;
    if (
      !Array.isArray(outputs) ||
      outputs.some(
        (output) => typeof output?.tool_call_id !== 'string' || typeof output?.output !== 'string',
      )
    ) {
      throw new RequestMalformedError(
        'tool_outputs must be an array of {"tool_call_id": string, "output": string}.',
      );
    }
    return outputs as Array<{ tool_call_id: string; output: string }>;
  }
  if (pending.length !== 1) {
    throw new RequestMalformedError(
      `This task waits for ${pending.length} function results (${pending.map((call) => call.id).join(', ')}); reply with a data part {"tool_outputs": [{"tool_call_id": "…", "output": "…"}]}.`,
    );
  }
  const output = data.length === 1 ? JSON.stringify(data[0]) : textOf(message);
  if (output === '')
    throw new RequestMalformedError(
      'The reply has neither text nor data to give as the function result.',
    );
  return [{ tool_call_id: pending[0]!.id, output }];
}
