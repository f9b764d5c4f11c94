/** Request and response schemas of `/v1/conversations`. */
import { z } from 'zod';
import { MAX_ITEMS_PER_CALL, type Conversation } from '../../domain/conversation.ts';
import { InputItemSchema } from '../responses/items.schemas.ts';
import { idSchema, MetadataObjectSchema, MetadataSchema } from '../shared/common.schemas.ts';
import type { Assert, SameType } from '../shared/same-type.ts';

/** Items a client adds: input items as a response takes them, at most 20 per call (OpenAI's limit). */
export const NewItemsSchema = z.array(InputItemSchema).max(MAX_ITEMS_PER_CALL, {
  error: `too many items. You may add up to ${MAX_ITEMS_PER_CALL} items at a time.`,
});

export const ConversationCreateParamsSchema = z.strictObject({
  items: NewItemsSchema.nullable().optional(),
  metadata: MetadataSchema.optional(),
});
export type ConversationCreateParams = z.infer<typeof ConversationCreateParamsSchema>;

export const ConversationUpdateParamsSchema = z.strictObject({ metadata: MetadataSchema });
export type ConversationUpdateParams = z.infer<typeof ConversationUpdateParamsSchema>;

export const ConversationPathSchema = z.strictObject({
  conversation_id: idSchema('conversation'),
});

export const ConversationSchema = z.object({
  id: z.string(),
  object: z.literal('conversation'),
  created_at: z.number().int(),
  metadata: MetadataObjectSchema,
});
export type ConversationSchemaMatches = Assert<
  SameType<z.output<typeof ConversationSchema>, Conversation>
>;
