/** Request and response schemas of `/v1/threads/{thread_id}/messages`. */
import { z } from 'zod';
import { idSchema, listQuerySchema, MetadataSchema } from '../../shared/common.schemas.ts';
import { AttachmentSchema, CreateMessageSchema } from '../../shared/message.schemas.ts';

export const MessageCreateParamsSchema = CreateMessageSchema;

export const MessageUpdateParamsSchema = z.strictObject({ metadata: MetadataSchema.optional() });
export type MessageUpdateParams = z.infer<typeof MessageUpdateParamsSchema>;

export const ThreadPathSchema = z.strictObject({ thread_id: idSchema('thread') });
export const MessagePathSchema = z.strictObject({
  thread_id: idSchema('thread'),
  message_id: idSchema('message'),
});
export const MessageListQuerySchema = listQuerySchema({ run_id: idSchema('run').optional() });

const AnnotationSchema = z.object({
  type: z.enum(['file_citation', 'file_path']),
  text: z.string(),
  start_index: z.number().int(),
  end_index: z.number().int(),
});

export const MessageSchema = z.object({
  id: z.string(),
  object: z.literal('thread.message'),
  created_at: z.number().int(),
  thread_id: z.string(),
  status: z.enum(['in_progress', 'incomplete', 'completed']),
  incomplete_details: z.object({ reason: z.string() }).nullable(),
  completed_at: z.number().int().nullable(),
  incomplete_at: z.number().int().nullable(),
  role: z.enum(['user', 'assistant']),
  content: z.array(
    z.union([
      z.object({
        type: z.literal('text'),
        text: z.object({ value: z.string(), annotations: z.array(AnnotationSchema) }),
      }),
      z.object({
        type: z.literal('image_file'),
        image_file: z.object({ file_id: z.string(), detail: z.string().optional() }),
      }),
      z.object({
        type: z.literal('image_url'),
        image_url: z.object({ url: z.string(), detail: z.string().optional() }),
      }),
      z.object({ type: z.literal('refusal'), refusal: z.string() }),
    ]),
  ),
  assistant_id: z.string().nullable(),
  run_id: z.string().nullable(),
  attachments: z.array(AttachmentSchema).nullable(),
  metadata: z.record(z.string(), z.string()),
});
