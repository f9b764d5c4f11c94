/** Request and response schemas of `/v1/vector_stores/{id}/files`. */
import { z } from 'zod';
import type { VectorStoreFile } from '../../../domain/vector-store.ts';
import { idSchema, listQuerySchema } from '../../shared/common.schemas.ts';
import type { Assert, SameType } from '../../shared/same-type.ts';
import { AttributesSchema, ChunkingStrategySchema } from '../vector-stores.schemas.ts';

export const StatusFilterSchema = z.enum(['in_progress', 'completed', 'failed', 'cancelled']);

export const VectorStoreFileCreateParamsSchema = z.strictObject({
  file_id: idSchema('file'),
  chunking_strategy: ChunkingStrategySchema.optional(),
  attributes: AttributesSchema.optional(),
});
export type VectorStoreFileCreateParams = z.infer<typeof VectorStoreFileCreateParamsSchema>;

export const VectorStoreFileUpdateParamsSchema = z.strictObject({ attributes: AttributesSchema });

export const VectorStoreFilePathSchema = z.strictObject({
  vector_store_id: idSchema('vectorStore'),
  file_id: idSchema('file'),
});
export const VectorStoreFileListQuerySchema = listQuerySchema({
  filter: StatusFilterSchema.optional(),
});

export const VectorStoreFileSchema = z.object({
  id: z.string(),
  object: z.literal('vector_store.file'),
  usage_bytes: z.number().int(),
  created_at: z.number().int(),
  vector_store_id: z.string(),
  status: StatusFilterSchema,
  last_error: z
    .object({
      code: z.enum(['server_error', 'unsupported_file', 'invalid_file']),
      message: z.string(),
    })
    .nullable(),
  chunking_strategy: z.object({
    type: z.literal('static'),
    static: z.object({
      max_chunk_size_tokens: z.number().int(),
      chunk_overlap_tokens: z.number().int(),
    }),
  }),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type VectorStoreFileSchemaMatches = Assert<
  SameType<z.output<typeof VectorStoreFileSchema>, VectorStoreFile>
>;

export const FileContentPageSchema = z.object({
  object: z.literal('vector_store.file_content.page'),
  data: z.array(z.object({ type: z.literal('text'), text: z.string() })),
  has_more: z.boolean(),
  next_page: z.string().nullable(),
});
