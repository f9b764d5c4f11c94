/**
 * A message as a client (or a caller acting for one) adds it to a thread, before and after it is
 * stored: the input shape every API surface converts to, and the constructor of the stored object.
 */
import type { Metadata } from './assistant.ts';
import { nowSeconds } from './clock.ts';
import { newId } from './ids.ts';
import type { Attachment, ImageDetail, Message, MessageContent } from './message.ts';

/** One content part as a caller gives it: text as a plain string. */
export type MessageContentInput =
  | { type: 'text'; text: string }
  | { type: 'image_file'; image_file: { file_id: string; detail?: ImageDetail | undefined } }
  | { type: 'image_url'; image_url: { url: string; detail?: ImageDetail | undefined } };

/** A new message from outside a run; its shape was checked at the edge. */
export interface MessageInput {
  role: 'user' | 'assistant';
  content: string | MessageContentInput[];
  attachments?: Attachment[] | null | undefined;
  metadata?: Metadata | null | undefined;
}

/** Input content in the stored form: text parts carry `{value, annotations: []}`. */
export function toMessageContent(content: MessageInput['content']): MessageContent[] {
  if (typeof content === 'string')
    return [{ type: 'text', text: { value: content, annotations: [] } }];
  return content.map((part): MessageContent => {
    switch (part.type) {
      case 'text':
        return { type: 'text', text: { value: part.text, annotations: [] } };
      case 'image_file':
        return {
          type: 'image_file',
          image_file: {
            file_id: part.image_file.file_id,
            ...(part.image_file.detail ? { detail: part.image_file.detail } : {}),
          },
        };
      case 'image_url':
        return {
          type: 'image_url',
          image_url: {
            url: part.image_url.url,
            ...(part.image_url.detail ? { detail: part.image_url.detail } : {}),
          },
        };
    }
  });
}

/** A message added from outside a run: complete on arrival, no run, no assistant. */
export function newMessage(
  threadId: string,
  input: MessageInput,
  createdAt = nowSeconds(),
): Message {
  return {
    id: newId('message'),
    object: 'thread.message',
    created_at: createdAt,
    thread_id: threadId,
    status: 'completed',
    incomplete_details: null,
    completed_at: null,
    incomplete_at: null,
    role: input.role,
    content: toMessageContent(input.content),
    assistant_id: null,
    run_id: null,
    attachments: input.attachments ?? [],
    metadata: input.metadata ?? {},
  };
}
