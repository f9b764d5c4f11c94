/** Request and response schemas of `/v1/vector_stores` and its search. */
import { z } from 'zod';
import type { VectorStore } from '../../domain/vector-store.ts';
import {
  idSchema,
  listQuerySchema,
  MetadataObjectSchema,
  MetadataSchema,
} from '../shared/common.schemas.ts';
import type { Assert, SameType } from '../shared/same-type.ts';
import { ChunkingStrategySchema } from '../shared/tools.schemas.ts';

export { ChunkingStrategySchema };

export const ExpiresAfterSchema = z.strictObject({
  anchor: z.literal('last_active_at'),
  days: z.number().int().min(1).max(365),
});

/** Up to 16 attributes; keys ≤ 64 characters; values strings ≤ 512, numbers or booleans. */
export const AttributesSchema = z
  .record(z.string().max(64), z.union([z.string().max(512), z.number(), z.boolean()]))
  .refine((value) => Object.keys(value).length <= 16, {
    error: 'too many properties. Expected an object with at most 16 properties.',
  })
  .nullable();

export const VectorStoreCreateParamsSchema = z.strictObject({
  file_ids: z.array(idSchema('file')).max(500).optional(),
  name: z.string().max(256).optional(),
  description: z.string().max(512).optional(),
  expires_after: ExpiresAfterSchema.optional(),
  chunking_strategy: ChunkingStrategySchema.optional(),
  metadata: MetadataSchema.optional(),
});
export type VectorStoreCreateParams = z.infer<typeof VectorStoreCreateParamsSchema>;

export const VectorStoreUpdateParamsSchema = z.strictObject({
  name: z.string().max(256).nullable().optional(),
  expires_after: ExpiresAfterSchema.nullable().optional(),
  metadata: MetadataSchema.optional(),
});
export type VectorStoreUpdateParams = z.infer<typeof VectorStoreUpdateParamsSchema>;

export const VectorStorePathSchema = z.strictObject({ vector_store_id: idSchema('vectorStore') });
export const VectorStoreListQuerySchema = listQuerySchema();

const AttributeValueSchema = z.union([z.string(), z.number(), z.boolean()]);
const ComparisonFilterSchema = z.strictObject({
  type: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin']),
  key: z.string().min(1).max(64),
  value: z.union([AttributeValueSchema, z.array(AttributeValueSchema).max(100)]),
});
type FilterInput =
  z.infer<typeof ComparisonFilterSchema> | { type: 'and' | 'or'; filters: FilterInput[] };
export const FilterSchema: z.ZodType<FilterInput> = z.lazy(() =>
  z.union([
    ComparisonFilterSchema,
    z.strictObject({ type: z.enum(['and', 'or']), filters: z.array(FilterSchema).min(1).max(32) }),
  ]),
);

export const VectorStoreSearchParamsSchema = z.strictObject({
  query: z.union([
    z.string().min(1).max(4096),
    z.array(z.string().min(1).max(4096)).min(1).max(10),
  ]),
  rewrite_query: z.boolean().optional(),
  max_num_results: z.number().int().min(1).max(50).optional(),
  filters: FilterSchema.optional(),
  ranking_options: z
    .strictObject({
      ranker: z.enum(['none', 'auto', 'default-2024-11-15']).optional(),
      score_threshold: z.number().min(0).max(1).optional(),
    })
    .optional(),
});
export type VectorStoreSearchParams = z.infer<typeof VectorStoreSearchParamsSchema>;

const FileCountsSchema = z.object({
  in_progress: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  total: z.number().int(),
});
export { FileCountsSchema };

export const VectorStoreSchema = z.object({
  id: z.string(),
  object: z.literal('vector_store'),
  created_at: z.number().int(),
  name: z.string(),
  usage_bytes: z.number().int(),
  file_counts: FileCountsSchema,
  status: z.enum(['expired', 'in_progress', 'completed']),
  last_active_at: z.number().int().nullable(),
  metadata: MetadataObjectSchema,
  expires_after: ExpiresAfterSchema.optional(),
  expires_at: z.number().int().nullable(),
});
export type VectorStoreSchemaMatches = Assert<
  SameType<z.output<typeof VectorStoreSchema>, VectorStore>
>;

export const SearchResultsPageSchema = z.object({
  object: z.literal('vector_store.search_results.page'),
  search_query: z.array(z.string()),
  data: z.array(
    z.object({
      file_id: z.string(),
      filename: z.string(),
      score: z.number(),
      attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
      content: z.array(z.object({ type: z.literal('text'), text: z.string() })),
    }),
  ),
  has_more: z.boolean(),
  next_page: z.string().nullable(),
});
