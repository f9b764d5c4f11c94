/** The message object with its content parts, annotations and attachments. */
import type { Metadata } from './assistant.ts';

export type ImageDetail = 'auto' | 'low' | 'high';

export interface FileCitationAnnotation {
  type: 'file_citation';
  text: string;
  file_citation: { file_id: string };
  start_index: number;
  end_index: number;
}

export interface FilePathAnnotation {
  type: 'file_path';
  text: string;
  file_path: { file_id: string };
  start_index: number;
  end_index: number;
}

export type Annotation = FileCitationAnnotation | FilePathAnnotation;

export type MessageContent =
  | { type: 'text'; text: { value: string; annotations: Annotation[] } }
  | { type: 'image_file'; image_file: { file_id: string; detail?: ImageDetail } }
  | { type: 'image_url'; image_url: { url: string; detail?: ImageDetail } }
  | { type: 'refusal'; refusal: string };

export type AttachmentTool = { type: 'code_interpreter' } | { type: 'file_search' };

export interface Attachment {
  file_id: string;
  tools: AttachmentTool[];
}

export type MessageStatus = 'in_progress' | 'incomplete' | 'completed';

export type MessageIncompleteReason =
  'content_filter' | 'max_tokens' | 'run_cancelled' | 'run_expired' | 'run_failed';

export interface Message {
  id: string;
  object: 'thread.message';
  created_at: number;
  thread_id: string;
  status: MessageStatus;
  incomplete_details: { reason: MessageIncompleteReason } | null;
  completed_at: number | null;
  incomplete_at: number | null;
  role: 'user' | 'assistant';
  content: MessageContent[];
  assistant_id: string | null;
  run_id: string | null;
  attachments: Attachment[] | null;
  metadata: Metadata;
}
