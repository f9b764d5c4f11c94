/** The CreateMessageRequest schema, used by messages, thread creation and a run's additional messages. */
import { z } from 'zod';
import { idSchema, MetadataSchema } from './common.schemas.ts';

/** OpenAI's limit on one message's text. */
export const MESSAGE_TEXT_LIMIT = 256_000;

const Detail = z.enum(['auto', 'low', 'high']);

const ImageUrl = z
  .string()
  .max(20 * 1024 * 1024)
  .refine(
    (value) =>
      /^https?:\/\/[^\s]+$/i.test(value) ||
      /^data:image\/(png|jpe?g|gif|webp);base64,[A-Za-z0-9+/=]+$/i.test(value),
    {
      error: 'expected an http(s) URL or a base64 data URL of a png, jpeg, gif or webp image.',
    },
  );

export const ContentPartSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string().min(1).max(MESSAGE_TEXT_LIMIT) }),
  z.strictObject({
    type: z.literal('image_file'),
    image_file: z.strictObject({ file_id: idSchema('file'), detail: Detail.optional() }),
  }),
  z.strictObject({
    type: z.literal('image_url'),
    image_url: z.strictObject({ url: ImageUrl, detail: Detail.optional() }),
  }),
]);

export const AttachmentSchema = z.strictObject({
  file_id: idSchema('file'),
  tools: z
    .array(
      z.discriminatedUnion('type', [
        z.strictObject({ type: z.literal('code_interpreter') }),
        z.strictObject({ type: z.literal('file_search') }),
      ]),
    )
    .min(1),
});

export const CreateMessageSchema = z
  .strictObject({
    role: z.enum(['user', 'assistant']),
    content: z.union([
      z.string().min(1).max(MESSAGE_TEXT_LIMIT),
      z.array(ContentPartSchema).min(1).max(100),
    ]),
    attachments: z.array(AttachmentSchema).max(20).nullable().optional(),
    metadata: MetadataSchema.optional(),
  })
  .superRefine((message, context) => {
    if (message.role === 'assistant' && Array.isArray(message.content)) {
      message.content.forEach((part, index) => {
        if (part.type !== 'text') {
          context.addIssue({
            code: 'custom',
            path: ['content', index],
            message: `Image content is only allowed in messages with role 'user', not 'assistant'.`,
          });
        }
      });
    }
  });

export type MessageCreateParams = z.infer<typeof CreateMessageSchema>;
