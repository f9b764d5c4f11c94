/** Request schemas of runs: create, create thread and run, modify, submit tool outputs, list, events. */
import { z } from 'zod';
import { RUN_STATUSES, type Run, type RunStep } from '../../../domain/run.ts';
import {
  idSchema,
  listQuerySchema,
  MetadataObjectSchema,
  MetadataSchema,
  ModelNameSchema,
} from '../../shared/common.schemas.ts';
import { CreateMessageSchema } from '../../shared/message.schemas.ts';
import type { Assert, SameType } from '../../shared/same-type.ts';
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
    // Past a safe integer no seq exists (PostgreSQL's bigint would refuse the number).
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER, { error: 'expected a seq of this run.' }))
    .optional(),
});

const UsageSchema = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

/** The run object as every runs route returns it. */
export const RunSchema = z.object({
  id: z.string(),
  object: z.literal('thread.run'),
  created_at: z.number().int(),
  thread_id: z.string(),
  assistant_id: z.string(),
  status: z.enum(RUN_STATUSES),
  required_action: z
    .object({
      type: z.literal('submit_tool_outputs'),
      submit_tool_outputs: z.object({
        tool_calls: z.array(
          z.object({
            id: z.string(),
            type: z.literal('function'),
            function: z.object({ name: z.string(), arguments: z.string() }),
          }),
        ),
      }),
    })
    .nullable(),
  last_error: z
    .object({
      code: z.enum(['server_error', 'rate_limit_exceeded', 'invalid_prompt']),
      message: z.string(),
    })
    .nullable(),
  expires_at: z.number().int().nullable(),
  started_at: z.number().int().nullable(),
  cancelled_at: z.number().int().nullable(),
  failed_at: z.number().int().nullable(),
  completed_at: z.number().int().nullable(),
  incomplete_details: z
    .object({ reason: z.enum(['max_completion_tokens', 'max_prompt_tokens']) })
    .nullable(),
  model: z.string(),
  instructions: z.string(),
  tools: z.array(ToolSchema),
  metadata: MetadataObjectSchema,
  usage: UsageSchema.nullable(),
  temperature: z.number().nullable(),
  top_p: z.number().nullable(),
  max_prompt_tokens: z.number().int().nullable(),
  max_completion_tokens: z.number().int().nullable(),
  truncation_strategy: z.object({
    type: z.enum(['auto', 'last_messages']),
    last_messages: z.number().int().nullable(),
  }),
  tool_choice: ToolChoiceSchema.unwrap(),
  parallel_tool_calls: z.boolean(),
  response_format: ResponseFormatSchema.unwrap(),
});
export type RunSchemaMatches = Assert<SameType<z.output<typeof RunSchema>, Run>>;

const StepToolCallSchema = z.discriminatedUnion('type', [
  z.object({
    id: z.string(),
    type: z.literal('function'),
    function: z.object({ name: z.string(), arguments: z.string(), output: z.string().nullable() }),
  }),
  z.object({
    id: z.string(),
    type: z.literal('code_interpreter'),
    code_interpreter: z.object({
      input: z.string(),
      outputs: z.array(
        z.discriminatedUnion('type', [
          z.object({ type: z.literal('logs'), logs: z.string() }),
          z.object({ type: z.literal('image'), image: z.object({ file_id: z.string() }) }),
        ]),
      ),
    }),
  }),
  z.object({
    id: z.string(),
    type: z.literal('file_search'),
    file_search: z.object({
      ranking_options: z.object({ ranker: z.string(), score_threshold: z.number() }).optional(),
      results: z
        .array(
          z.object({
            file_id: z.string(),
            file_name: z.string(),
            score: z.number(),
            content: z.array(z.object({ type: z.literal('text'), text: z.string() })).optional(),
          }),
        )
        .optional(),
    }),
  }),
  // Concierge's extension: a call of a service agent, shown as the action it became.
  z.object({
    id: z.string(),
    type: z.literal('service_agent'),
    service_agent: z.record(z.string(), z.unknown()),
  }),
  // Concierge's extension: a call of a tool on an MCP server (docs/mcp.md).
  z.object({
    id: z.string(),
    type: z.literal('mcp'),
    mcp: z.object({
      server_label: z.string(),
      name: z.string(),
      arguments: z.string(),
      output: z.string().nullable(),
      error: z
        .discriminatedUnion('type', [
          z.object({
            type: z.literal('mcp_protocol_error'),
            code: z.number(),
            message: z.string(),
          }),
          z.object({ type: z.literal('mcp_tool_execution_error'), content: z.unknown() }),
          z.object({ type: z.literal('http_error'), code: z.number(), message: z.string() }),
        ])
        .nullable(),
      status: z.enum(['in_progress', 'awaiting_approval', 'completed', 'declined', 'failed']),
    }),
  }),
]);

/** The run step object as the steps routes return it. */
export const RunStepSchema = z.object({
  id: z.string(),
  object: z.literal('thread.run.step'),
  created_at: z.number().int(),
  assistant_id: z.string(),
  thread_id: z.string(),
  run_id: z.string(),
  type: z.enum(['message_creation', 'tool_calls']),
  status: z.enum(['in_progress', 'cancelled', 'failed', 'completed', 'expired']),
  step_details: z.discriminatedUnion('type', [
    z.object({
      type: z.literal('message_creation'),
      message_creation: z.object({ message_id: z.string() }),
    }),
    z.object({ type: z.literal('tool_calls'), tool_calls: z.array(StepToolCallSchema) }),
  ]),
  last_error: z
    .object({ code: z.enum(['server_error', 'rate_limit_exceeded']), message: z.string() })
    .nullable(),
  expired_at: z.number().int().nullable(),
  cancelled_at: z.number().int().nullable(),
  failed_at: z.number().int().nullable(),
  completed_at: z.number().int().nullable(),
  metadata: MetadataObjectSchema,
  usage: UsageSchema.nullable(),
});
export type RunStepSchemaMatches = Assert<SameType<z.output<typeof RunStepSchema>, RunStep>>;
