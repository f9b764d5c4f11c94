/**
 * Request and response schemas of `/v1/organization/usage/{completions,code_interpreter_sessions,
 * vector_stores}` and `/v1/organization/costs`.
 */
import { z } from 'zod';
import type {
  CostsResult,
  UsageCodeInterpreterSessionsResult,
  UsageCompletionsResult,
  UsagePage,
  UsageVectorStoresResult,
} from '../../../domain/usage.ts';
import type { Assert, SameType } from '../../shared/same-type.ts';

/** An array query parameter as the SDK sends it (`group_by[]=a&group_by[]=b`) or plain (`group_by=a`). */
const stringList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : [value]))
  .optional();

const unixSeconds = z.coerce.number().int().min(0);

const COMPLETIONS_GROUPS = ['project_id', 'api_key_id', 'model'] as const;
const COSTS_GROUPS = ['project_id', 'line_item', 'api_key_id'] as const;

/** The shared query: a time range, filters, and pages of buckets (`page` is the next bucket's start). */
const UsageQueryShape = z.strictObject({
  start_time: unixSeconds,
  end_time: unixSeconds.optional(),
  bucket_width: z.enum(['1m', '1h', '1d']).default('1d'),
  project_ids: stringList,
  'project_ids[]': stringList,
  api_key_ids: stringList,
  'api_key_ids[]': stringList,
  models: stringList,
  'models[]': stringList,
  group_by: stringList,
  'group_by[]': stringList,
  limit: z.coerce.number().int().min(1).optional(),
  page: z.string().regex(/^\d+$/, 'page must be a next_page value').optional(),
});

function usageQuery<Group extends string>(groups: readonly Group[]) {
  return UsageQueryShape.transform((query, context) => {
    const groupBy = query.group_by ?? query['group_by[]'] ?? [];
    for (const group of groupBy)
      if (!(groups as readonly string[]).includes(group))
        context.addIssue({
          code: 'custom',
          path: ['group_by'],
          message: `group_by must be among ${groups.join(', ')}; got '${group}'`,
        });
    return {
      start_time: query.start_time,
      end_time: query.end_time,
      bucket_width: query.bucket_width,
      limit: query.limit,
      page: query.page,
      project_ids: query.project_ids ?? query['project_ids[]'],
      api_key_ids: query.api_key_ids ?? query['api_key_ids[]'],
      models: query.models ?? query['models[]'],
      group_by: groupBy as Group[],
    };
  });
}

export const UsageCompletionsQuerySchema = usageQuery(COMPLETIONS_GROUPS);
export type UsageCompletionsQuery = z.output<typeof UsageCompletionsQuerySchema>;

/** The meters' reports group by project only, as OpenAI's do. */
export const UsageMeterQuerySchema = usageQuery(['project_id'] as const);
export type UsageMeterQuery = z.output<typeof UsageMeterQuerySchema>;

/** Costs come in day buckets only, as OpenAI's do. */
export const CostsQuerySchema = usageQuery(COSTS_GROUPS).refine(
  (query) => query.bucket_width === '1d',
  { path: ['bucket_width'], message: "bucket_width must be '1d' for costs" },
);
export type CostsQuery = z.output<typeof CostsQuerySchema>;

export const UsageCompletionsResultSchema = z.object({
  object: z.literal('organization.usage.completions.result'),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  input_cached_tokens: z.number().int(),
  input_audio_tokens: z.number().int(),
  output_audio_tokens: z.number().int(),
  num_model_requests: z.number().int(),
  project_id: z.string().nullable(),
  user_id: z.null(),
  api_key_id: z.string().nullable(),
  model: z.string().nullable(),
  batch: z.null(),
});
export type UsageCompletionsResultMatches = Assert<
  SameType<z.output<typeof UsageCompletionsResultSchema>, UsageCompletionsResult>
>;

export const CostsResultSchema = z.object({
  object: z.literal('organization.costs.result'),
  amount: z.object({ value: z.number(), currency: z.literal('usd') }),
  line_item: z.string().nullable(),
  project_id: z.string().nullable(),
  api_key_id: z.string().nullable(),
  quantity: z.number().nullable(),
});
export type CostsResultMatches = Assert<SameType<z.output<typeof CostsResultSchema>, CostsResult>>;

function pageSchema<Result extends z.ZodType>(result: Result) {
  return z.object({
    object: z.literal('page'),
    data: z.array(
      z.object({
        object: z.literal('bucket'),
        start_time: z.number().int(),
        end_time: z.number().int(),
        results: z.array(result),
      }),
    ),
    has_more: z.boolean(),
    next_page: z.string().nullable(),
  });
}

export const UsageCompletionsPageSchema = pageSchema(UsageCompletionsResultSchema);
export type UsageCompletionsPageMatches = Assert<
  SameType<z.output<typeof UsageCompletionsPageSchema>, UsagePage<UsageCompletionsResult>>
>;
export const CostsPageSchema = pageSchema(CostsResultSchema);
export type CostsPageMatches = Assert<
  SameType<z.output<typeof CostsPageSchema>, UsagePage<CostsResult>>
>;

export const UsageCodeInterpreterSessionsResultSchema = z.object({
  object: z.literal('organization.usage.code_interpreter_sessions.result'),
  num_sessions: z.number().int(),
  usage_seconds: z.number(),
  project_id: z.string().nullable(),
});
export const UsageCodeInterpreterSessionsPageSchema = pageSchema(
  UsageCodeInterpreterSessionsResultSchema,
);
export type UsageCodeInterpreterSessionsPageMatches = Assert<
  SameType<
    z.output<typeof UsageCodeInterpreterSessionsPageSchema>,
    UsagePage<UsageCodeInterpreterSessionsResult>
  >
>;

export const UsageVectorStoresResultSchema = z.object({
  object: z.literal('organization.usage.vector_stores.result'),
  usage_bytes: z.number().int(),
  project_id: z.string().nullable(),
});
export const UsageVectorStoresPageSchema = pageSchema(UsageVectorStoresResultSchema);
export type UsageVectorStoresPageMatches = Assert<
  SameType<z.output<typeof UsageVectorStoresPageSchema>, UsagePage<UsageVectorStoresResult>>
>;
