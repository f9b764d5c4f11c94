/** Request and response schemas of `/v1/containers` and their files. */
import { z } from 'zod';
import {
  CONTAINER_MEMORY_LIMITS,
  type Container,
  type ContainerFile,
} from '../../domain/container.ts';
import { idSchema, listQuerySchema } from '../shared/common.schemas.ts';
import type { Assert, SameType } from '../shared/same-type.ts';

/** At most a week idle; OpenAI documents no bound, a sandbox that never expires is one we refuse. */
export const CONTAINER_MAX_MINUTES = 10_080;

export const ContainerCreateSchema = z.strictObject({
  name: z.string().min(1).max(256),
  file_ids: z.array(idSchema('file')).max(100).optional(),
  expires_after: z
    .strictObject({
      anchor: z.literal('last_active_at'),
      minutes: z.number().int().min(1).max(CONTAINER_MAX_MINUTES),
    })
    .optional(),
  memory_limit: z.enum(CONTAINER_MEMORY_LIMITS).optional(),
  network_policy: z
    .strictObject(
      { type: z.literal('disabled') },
      {
        error: 'only {"type": "disabled"} is supported: the sandbox has no network.',
      },
    )
    .optional(),
});
export type ContainerCreateParams = z.infer<typeof ContainerCreateSchema>;

export const ContainerPathSchema = z.strictObject({ container_id: idSchema('container') });
export const ContainerFilePathSchema = z.strictObject({
  container_id: idSchema('container'),
  file_id: idSchema('containerFile'),
});

export const ContainerListQuerySchema = listQuerySchema({
  name: z.string().min(1).max(256).optional(),
});

/** `POST /containers/{id}/files` as JSON: copy an uploaded file in (an upload is multipart). */
export const ContainerFileFromFileSchema = z.strictObject({ file_id: idSchema('file') });

/**
 * The body of `POST /containers/{id}/files` as the OpenAPI document describes it: JSON with a
 * `file_id`, or multipart with a `file`; the handler reads each (one of the two is required).
 */
export const ContainerFileCreateDocumentSchema = z.strictObject({
  file_id: idSchema('file').optional(),
  file: z.string().meta({ format: 'binary' }).optional(),
});

export const ContainerSchema = z.object({
  id: z.string(),
  object: z.literal('container'),
  name: z.string(),
  created_at: z.number().int(),
  status: z.enum(['running', 'expired']),
  last_active_at: z.number().int(),
  expires_after: z.object({ anchor: z.literal('last_active_at'), minutes: z.number().int() }),
  memory_limit: z.enum(CONTAINER_MEMORY_LIMITS),
  network_policy: z.object({ type: z.literal('disabled') }),
});
export type ContainerSchemaMatches = Assert<SameType<z.output<typeof ContainerSchema>, Container>>;

export const ContainerFileSchema = z.object({
  id: z.string(),
  object: z.literal('container.file'),
  container_id: z.string(),
  created_at: z.number().int(),
  bytes: z.number().int(),
  path: z.string(),
  source: z.enum(['user', 'assistant']),
});
export type ContainerFileSchemaMatches = Assert<
  SameType<z.output<typeof ContainerFileSchema>, ContainerFile>
>;
