/** Request and response schemas of `/v1/vector_stores/{id}/file_batches`. */
import { z } from 'zod';
import type { VectorStoreFileBatch } from '../../../domain/vector-store.ts';
import { idSchema, listQuerySchema } from '../../shared/common.schemas.ts';
import type { Assert, SameType } from '../../shared/same-type.ts';
import {
  StatusFilterSchema,
  VectorStoreFileCreateParamsSchema,
} from '../files/vector-store-files.schemas.ts';
import {
  AttributesSchema,
  ChunkingStrategySchema,
  FileCountsSchema,
} from '../vector-stores.schemas.ts';

/** Exactly one of `file_ids` (shared chunking and attributes) or `files` (each with its own). */
export const FileBatchCreateParamsSchema = z
  .strictObject({
    file_ids: z.array(idSchema('file')).min(1).max(2000).optional(),
    files: z.array(VectorStoreFileCreateParamsSchema).min(1).max(2000).optional(),
    chunking_strategy: ChunkingStrategySchema.optional(),
    attributes: AttributesSchema.optional(),
  })
  .superRefine((value, context) => {
    if ((value.file_ids === undefined) === (value.files === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['file_ids'],
        message: 'Provide exactly one of file_ids or files.',
      });
    }
  });
export type FileBatchCreateParams = z.infer<typeof FileBatchCreateParamsSchema>;

export const FileBatchPathSchema = z.strictObject({
  vector_store_id: idSchema('vectorStore'),
  batch_id: idSchema('fileBatch'),
});
export const FileBatchFilesQuerySchema = listQuerySchema({ filter: StatusFilterSchema.optional() });

export const FileBatchSchema = z.object({
  id: z.string(),
  object: z.literal('vector_store.files_batch'),
  created_at: z.number().int(),
  vector_store_id: z.string(),
  status: z.enum(['in_progress', 'completed', 'cancelled', 'failed']),
  file_counts: FileCountsSchema,
});
export type FileBatchSchemaMatches = Assert<
  SameType<z.output<typeof FileBatchSchema>, VectorStoreFileBatch>
>;
