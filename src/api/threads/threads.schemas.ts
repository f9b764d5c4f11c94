/** Request and response schemas of `/v1/threads`. */
import { z } from 'zod';
import type { Thread } from '../../domain/thread.ts';
import { idSchema, MetadataObjectSchema, MetadataSchema } from '../shared/common.schemas.ts';
import { CreateMessageSchema } from '../shared/message.schemas.ts';
import type { Assert, SameType } from '../shared/same-type.ts';
import {
  CreateToolResourcesSchema,
  ToolResourcesObjectSchema,
  ToolResourcesSchema,
} from '../shared/tools.schemas.ts';

/** The most messages a new thread may be created with. */
export const MAX_THREAD_MESSAGES = 2000;

export const ThreadCreateParamsSchema = z.strictObject({
  messages: z.array(CreateMessageSchema).max(MAX_THREAD_MESSAGES).optional(),
  tool_resources: CreateToolResourcesSchema.optional(),
  metadata: MetadataSchema.optional(),
});
export type ThreadCreateParams = z.infer<typeof ThreadCreateParamsSchema>;

export const ThreadUpdateParamsSchema = z.strictObject({
  tool_resources: ToolResourcesSchema.optional(),
  metadata: MetadataSchema.optional(),
});
export type ThreadUpdateParams = z.infer<typeof ThreadUpdateParamsSchema>;

export const ThreadPathSchema = z.strictObject({ thread_id: idSchema('thread') });

export const ThreadSchema = z.object({
  id: z.string(),
  object: z.literal('thread'),
  created_at: z.number().int(),
  tool_resources: ToolResourcesObjectSchema,
  metadata: MetadataObjectSchema,
});
export type ThreadSchemaMatches = Assert<SameType<z.output<typeof ThreadSchema>, Thread>>;
