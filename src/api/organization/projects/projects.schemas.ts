/** Request and response schemas of the admin endpoints `/v1/organization/projects…`. */
import { z } from 'zod';
import type { Project } from '../../../domain/project.ts';
import { idSchema, listQuerySchema } from '../../shared/common.schemas.ts';
import type { Assert, SameType } from '../../shared/same-type.ts';

export const ProjectCreateParamsSchema = z.strictObject({ name: z.string().min(1).max(256) });
export const ProjectUpdateParamsSchema = z.strictObject({ name: z.string().min(1).max(256) });
export const ProjectPathSchema = z.strictObject({ project_id: idSchema('project') });
export const ProjectListQuerySchema = listQuerySchema({
  include_archived: z.enum(['true', 'false']).optional(),
});

export const ProjectSchema = z.object({
  id: z.string(),
  object: z.literal('organization.project'),
  name: z.string(),
  created_at: z.number().int(),
  archived_at: z.number().int().nullable(),
  status: z.enum(['active', 'archived']),
});
export type ProjectSchemaMatches = Assert<SameType<z.output<typeof ProjectSchema>, Project>>;
