/** Request and response schemas of `POST /v1/embeddings`, in OpenAI's shape. */
import { z } from 'zod';

/** OpenAI's limit on inputs per request. */
export const MAX_INPUTS = 2048;
/** OpenAI's limit on the tokens of one input (its embedding models' context). */
export const MAX_INPUT_TOKENS = 8192;
/** OpenAI's limit on the tokens of all inputs of one request. */
export const MAX_REQUEST_TOKENS = 300_000;

export const EmbeddingCreateParamsSchema = z.strictObject({
  /**
   * Text, or an array of texts. OpenAI also takes token arrays (of its own tokenizer); this server's
   * embedders read text, so those are refused with a 400 that says so.
   */
  input: z.union([
    z.string(),
    z.array(z.string()).min(1).max(MAX_INPUTS),
    z.array(z.number().int()).min(1),
    z.array(z.array(z.number().int()).min(1)).min(1),
  ]),
  model: z.string().min(1),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).optional(),
  user: z.string().optional(),
});
export type EmbeddingCreateParams = z.infer<typeof EmbeddingCreateParamsSchema>;

export const EmbeddingSchema = z.object({
  object: z.literal('embedding'),
  index: z.number().int(),
  embedding: z.union([z.array(z.number()), z.string()]),
});

export const CreateEmbeddingResponseSchema = z.object({
  object: z.literal('list'),
  data: z.array(EmbeddingSchema),
  model: z.string(),
  usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
});
export type CreateEmbeddingResponse = z.infer<typeof CreateEmbeddingResponseSchema>;
