/** Request and response schemas of `/v1/conversations/{conversation_id}/items`. */
import { z } from 'zod';
import { ConversationPathSchema, NewItemsSchema } from '../conversations.schemas.ts';
import { idSchema } from '../../shared/common.schemas.ts';

/**
 * `include`: the extra output data OpenAI can add to items. Every value is accepted; the ones this
 * server has data for are already in the stored items (file search results, code interpreter
 * outputs), the others have nothing to add here.
 */
const IncludeSchema = z
  .array(
    z.enum([
      'code_interpreter_call.outputs',
      'computer_call_output.output.image_url',
      'file_search_call.results',
      'message.input_image.image_url',
      'message.output_text.logprobs',
      'reasoning.encrypted_content',
      'web_search_call.action.sources',
      'web_search_call.results',
    ]),
  )
  .optional();

/** `include[]` as the SDK sends it: one value or several. */
const RepeatedIncludeSchema = z.preprocess(
  (value) => (typeof value === 'string' ? [value] : value),
  IncludeSchema,
);

export const ItemCreateParamsSchema = z.strictObject({ items: NewItemsSchema });
export type ItemCreateParams = z.infer<typeof ItemCreateParamsSchema>;

export const IncludeQuerySchema = z.strictObject({ 'include[]': RepeatedIncludeSchema });

const limit = z
  .string()
  .regex(/^\d+$/, { error: 'expected an integer.' })
  .transform(Number)
  .pipe(z.number().int().min(1).max(100))
  .optional()
  .transform((value) => value ?? 20);

/** The items list: `limit` 1–100 (default 20), `order` (default desc), `after`, `include`. */
export const ItemListQuerySchema = z.strictObject({
  limit,
  order: z.enum(['asc', 'desc']).default('desc'),
  after: z.string().min(1).max(200).optional(),
  'include[]': RepeatedIncludeSchema,
});

export { ConversationPathSchema };

export const ItemPathSchema = z.strictObject({
  conversation_id: idSchema('conversation'),
  item_id: z.string().min(1).max(128),
});

/** A conversation item as served: one of the Responses item types, stored as the client or the model made it. */
export const ConversationItemSchema = z
  .object({ id: z.string(), type: z.string() })
  .catchall(z.unknown());
