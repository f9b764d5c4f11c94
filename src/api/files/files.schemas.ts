/** Request and response schemas of `/v1/files`. */
import { z } from 'zod';
import { FILE_PURPOSES, type FileObject, UPLOAD_PURPOSES } from '../../domain/file.ts';
import type { DeletedObject } from '../../domain/assistant.ts';
import { idSchema, listQuerySchema } from '../shared/common.schemas.ts';
import type { Assert, SameType } from '../shared/same-type.ts';

/**
 * The text fields of the multipart upload. The SDK flattens `expires_after` into two bracketed
 * field names, so they are validated under exactly those names.
 */
export const FileUploadFieldsSchema = z.strictObject({
  purpose: z.enum(UPLOAD_PURPOSES),
  'expires_after[anchor]': z.literal('created_at').optional(),
  'expires_after[seconds]': z
    .string()
    .regex(/^\d+$/, { error: 'expected an integer.' })
    .transform(Number)
    .pipe(z.number().int().min(3600).max(2_592_000))
    .optional(),
});
export type FileUploadFields = z.infer<typeof FileUploadFieldsSchema>;

export const FilePathSchema = z.strictObject({ file_id: idSchema('file') });

/** `GET /files`: no `before`, and a page of up to 10,000 (the default). */
export const FileListQuerySchema = listQuerySchema(
  { purpose: z.string().min(1).max(64).optional() },
  { maximum: 10_000, fallback: 10_000 },
);

export const FileSchema = z.object({
  id: z.string(),
  object: z.literal('file'),
  bytes: z.number().int(),
  created_at: z.number().int(),
  filename: z.string(),
  purpose: z.enum(FILE_PURPOSES),
  status: z.enum(['uploaded', 'processed', 'error']),
  expires_at: z.number().int().nullable(),
  status_details: z.string().nullable(),
});
export type FileSchemaMatches = Assert<SameType<z.output<typeof FileSchema>, FileObject>>;

/** File delete answers with `object: "file"`, not `file.deleted`. */
export const FileDeletedSchema = z.object({
  id: z.string(),
  object: z.literal('file'),
  deleted: z.boolean(),
});
export type FileDeletedSchemaMatches = Assert<
  SameType<z.output<typeof FileDeletedSchema>, DeletedObject<'file'>>
>;
