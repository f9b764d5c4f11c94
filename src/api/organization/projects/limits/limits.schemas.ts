/** Request and response schemas of the limits of a project or key (`…/limits`, admin only). */
import { z } from 'zod';
import type { Limits, LimitsObject } from '../../../../domain/limits.ts';
import { idSchema } from '../../../shared/common.schemas.ts';
import type { Assert, SameType } from '../../../shared/same-type.ts';

const limit = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable();

/** Each field sets the limit; null takes the configured default again; an absent field is kept. */
export const LimitsUpdateParamsSchema = z.strictObject({
  max_requests_per_1_minute: limit.optional(),
  max_tokens_per_1_day: limit.optional(),
  max_concurrent_runs: limit.optional(),
  max_stored_bytes: limit.optional(),
});

export const ProjectLimitsPathSchema = z.strictObject({ project_id: idSchema('project') });
export const KeyLimitsPathSchema = z.strictObject({
  project_id: idSchema('project'),
  key_id: idSchema('apiKey'),
});

const LimitsSchema = z.object({
  max_requests_per_1_minute: limit,
  max_tokens_per_1_day: limit,
  max_concurrent_runs: limit,
  max_stored_bytes: limit,
});
export type LimitsSchemaMatches = Assert<SameType<z.output<typeof LimitsSchema>, Limits>>;

export const LimitsObjectSchema = z.object({
  object: z.literal('organization.project.limits'),
  project_id: z.string(),
  api_key_id: z.string().nullable(),
  overrides: LimitsSchema.describe("The project's or key's own limits; null: the default."),
  effective: LimitsSchema.describe('The limits that apply; null: no limit.'),
});
export type LimitsObjectSchemaMatches = Assert<
  SameType<z.output<typeof LimitsObjectSchema>, LimitsObject>
>;
