/** Request and response schemas of `/v1/threads/{thread_id}/messages`. */
import { z } from 'zod';
import type { Message } from '../../../domain/message.ts';
import {
  idSchema,
  listQuerySchema,
  MetadataObjectSchema,
  MetadataSchema,
} from '../../shared/common.schemas.ts';
import { CreateMessageSchema } from '../../shared/message.schemas.ts';
import type { Assert, SameType } from '../../shared/same-type.ts';

export const MessageCreateParamsSchema = CreateMessageSchema;

export const MessageUpdateParamsSchema = z.strictObject({ metadata: MetadataSchema.optional() });
export type MessageUpdateParams = z.infer<typeof MessageUpdateParamsSchema>;

export const ThreadPathSchema = z.strictObject({ thread_id: idSchema('thread') });
export const MessagePathSchema = z.strictObject({
  thread_id: idSchema('thread'),
  message_id: idSchema('message'),
});
export const MessageListQuerySchema = listQuerySchema({ run_id: idSchema('run').optional() });

const ImageDetailSchema = z.enum(['auto', 'low', 'high']);

const annotationFields = {
  text: z.string(),
  start_index: z.number().int(),
  end_index: z.number().int(),
};

const AnnotationSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('file_citation'),
    ...annotationFields,
    file_citation: z.object({ file_id: z.string() }),
  }),
  z.object({
    type: z.literal('file_path'),
    ...annotationFields,
    file_path: z.object({ file_id: z.string() }),
  }),
]);

const MessageContentSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('text'),
    text: z.object({ value: z.string(), annotations: z.array(AnnotationSchema) }),
  }),
  z.object({
    type: z.literal('image_file'),
    image_file: z.object({ file_id: z.string(), detail: ImageDetailSchema.optional() }),
  }),
  z.object({
    type: z.literal('image_url'),
    image_url: z.object({ url: z.string(), detail: ImageDetailSchema.optional() }),
  }),
  z.object({ type: z.literal('refusal'), refusal: z.string() }),
]);

const AttachmentObjectSchema = z.object({
  file_id: z.string(),
  tools: z.array(
    z.discriminatedUnion('type', [
      z.object({ type: z.literal('code_interpreter') }),
      z.object({ type: z.literal('file_search') }),
    ]),
  ),
});

export const MessageSchema = z.object({
  id: z.string(),
  object: z.literal('thread.message'),
  created_at: z.number().int(),
  thread_id: z.string(),
  status: z.enum(['in_progress', 'incomplete', 'completed']),
  incomplete_details: z
    .object({
      reason: z.enum([
        'content_filter',
        'max_tokens',
        'run_cancelled',
        'run_expired',
        'run_failed',
      ]),
    })
    .nullable(),
  completed_at: z.number().int().nullable(),
  incomplete_at: z.number().int().nullable(),
  role: z.enum(['user', 'assistant']),
  content: z.array(MessageContentSchema),
  assistant_id: z.string().nullable(),
  run_id: z.string().nullable(),
  attachments: z.array(AttachmentObjectSchema).nullable(),
  metadata: MetadataObjectSchema,
});
export type MessageSchemaMatches = Assert<SameType<z.output<typeof MessageSchema>, Message>>;
