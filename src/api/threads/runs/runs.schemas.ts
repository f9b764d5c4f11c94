/** Request schemas of runs: create, create thread and run, modify, submit tool outputs, list, events. */
import { z } from 'zod';
import {
  idSchema,
  listQuerySchema,
  MetadataSchema,
  ModelNameSchema,
} from '../../shared/common.schemas.ts';
import { CreateMessageSchema } from '../../shared/message.schemas.ts';
import {
  ReasoningEffortSchema,
  ResponseFormatSchema,
  ToolResourcesSchema,
  ToolSchema,
} from '../../shared/tools.schemas.ts';
import { ThreadCreateParamsSchema } from '../threads.schemas.ts';

export const FILE_SEARCH_CONTENT_INCLUDE =
  'step_details.tool_calls[*].file_search.results[*].content';

/** `include[]` as the SDK sends it: one value or several, only the file_search content value allowed. */
export const IncludeSchema = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : [value]))
  .pipe(z.array(z.literal(FILE_SEARCH_CONTENT_INCLUDE)))
  .optional();

const TruncationStrategySchema = z
  .strictObject({
    type: z.enum(['auto', 'last_messages']),
    last_messages: z.number().int().min(1).nullable().optional(),
  })
  .refine((value) => value.type !== 'last_messages' || (value.last_messages ?? null) !== null, {
    error: "last_messages is required when type is 'last_messages'.",
  })
  .nullable();

const ToolChoiceSchema = z
  .union([
    z.enum(['none', 'auto', 'required']),
    z.strictObject({
      type: z.literal('function'),
      function: z.strictObject({ name: z.string().min(1) }),
    }),
    z.strictObject({ type: z.enum(['code_interpreter', 'file_search']) }),
  ])
  .nullable();

const sharedRunFields = {
  assistant_id: idSchema('assistant'),
  model: ModelNameSchema.nullable().optional(),
  instructions: z.string().max(256_000).nullable().optional(),
  tools: z.array(ToolSchema).max(20).nullable().optional(),
  metadata: MetadataSchema.optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  // The spec says at least 256; the hosted service accepted any positive budget (docs/compatibility.md).
  max_prompt_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  truncation_strategy: TruncationStrategySchema.optional(),
  tool_choice: ToolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: ResponseFormatSchema.optional(),
};

export const RunCreateParamsSchema = z.strictObject({
  ...sharedRunFields,
  reasoning_effort: ReasoningEffortSchema.optional(),
  additional_instructions: z.string().max(256_000).nullable().optional(),
  additional_messages: z.array(CreateMessageSchema).max(32).nullable().optional(),
});
export type RunCreateParams = z.infer<typeof RunCreateParamsSchema>;

export const ThreadCreateAndRunParamsSchema = z.strictObject({
  ...sharedRunFields,
  thread: ThreadCreateParamsSchema.optional(),
  tool_resources: ToolResourcesSchema.optional(),
});
export type ThreadCreateAndRunParams = z.infer<typeof ThreadCreateAndRunParamsSchema>;

export const RunUpdateParamsSchema = z.strictObject({ metadata: MetadataSchema.optional() });

export const SubmitToolOutputsParamsSchema = z.strictObject({
  tool_outputs: z
    .array(z.strictObject({ tool_call_id: z.string().min(1), output: z.string().max(512 * 1024) }))
    // No .min(1): an empty array is answered about the run (404, state, then the missing call ids),
    // as the hosted service did (docs/compatibility.md).
    .max(128),
  stream: z.boolean().nullable().optional(),
});
export type SubmitToolOutputsParams = z.infer<typeof SubmitToolOutputsParamsSchema>;

export const ThreadRunsPathSchema = z.strictObject({ thread_id: idSchema('thread') });
export const RunPathSchema = z.strictObject({
  thread_id: idSchema('thread'),
  run_id: idSchema('run'),
});
export const RunCreateQuerySchema = z.strictObject({ 'include[]': IncludeSchema });
export const RunListQuerySchema = listQuerySchema();
export const RunEventsQuerySchema = z.strictObject({
  after: z
    .string()
    .regex(/^\d+$/, { error: 'expected a non-negative integer.' })
    .transform(Number)
    .optional(),
});

export const RunSchema = z.object({
  id: z.string(),
  object: z.literal('thread.run'),
  created_at: z.number().int(),
  thread_id: z.string(),
  assistant_id: z.string(),
  status: z.enum([
    'queued',
    'in_progress',
    'requires_action',
    'cancelling',
    'cancelled',
    'failed',
    'completed',
    'incomplete',
    'expired',
  ]),
  required_action: z.unknown().nullable(),
  last_error: z.object({ code: z.string(), message: z.string() }).nullable(),
  expires_at: z.number().int().nullable(),
  started_at: z.number().int().nullable(),
  cancelled_at: z.number().int().nullable(),
  failed_at: z.number().int().nullable(),
  completed_at: z.number().int().nullable(),
  incomplete_details: z.object({ reason: z.string() }).nullable(),
  model: z.string(),
  instructions: z.string(),
  tools: z.array(ToolSchema),
  metadata: z.record(z.string(), z.string()),
  usage: z
    .object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() })
    .nullable(),
  temperature: z.number().nullable(),
  top_p: z.number().nullable(),
  max_prompt_tokens: z.number().nullable(),
  max_completion_tokens: z.number().nullable(),
  truncation_strategy: z.object({ type: z.string(), last_messages: z.number().nullable() }),
  tool_choice: z.unknown(),
  parallel_tool_calls: z.boolean(),
  response_format: z.unknown(),
});
