/** Request and response schemas of `/v1/organization/projects/{project_id}/api_keys`. */
import { z } from 'zod';
import type { ApiKey } from '../../../../domain/project.ts';
import { idSchema, listQuerySchema } from '../../../shared/common.schemas.ts';
import type { Assert, SameType } from '../../../shared/same-type.ts';

export const ApiKeyCreateParamsSchema = z.strictObject({ name: z.string().min(1).max(256) });
export const ApiKeysPathSchema = z.strictObject({ project_id: idSchema('project') });
export const ApiKeyPathSchema = z.strictObject({
  project_id: idSchema('project'),
  key_id: idSchema('apiKey'),
});
export const ApiKeyListQuerySchema = listQuerySchema();

const ApiKeyObjectSchema = z.object({
  id: z.string(),
  object: z.literal('organization.project.api_key'),
  name: z.string(),
  redacted_value: z.string(),
  created_at: z.number().int(),
  last_used_at: z.number().int().nullable(),
  project_id: z.string(),
});
export type ApiKeySchemaMatches = Assert<SameType<z.output<typeof ApiKeyObjectSchema>, ApiKey>>;

export const ApiKeySchema = ApiKeyObjectSchema.extend({
  value: z.string().optional().describe('The key itself; returned once, on create.'),
});
