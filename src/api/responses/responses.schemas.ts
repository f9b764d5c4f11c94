/** Request and response schemas of `/v1/responses`. */
import { ConversationParamSchema } from '../conversations/conversation-turn.ts';
import { z } from 'zod';
import { APPROVE_ACTION } from '../../tools/tool.ts';
import {
  idSchema,
  listQuerySchema,
  MetadataObjectSchema,
  MetadataSchema,
  ModelNameSchema,
} from '../shared/common.schemas.ts';
import {
  McpToolSchema,
  RankingOptionsSchema,
  ReasoningEffortSchema,
} from '../shared/tools.schemas.ts';
import { InputSchema } from './items.schemas.ts';

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ResponseIdSchema = z.string().regex(/^resp_[A-Za-z0-9_-]{1,64}$/, {
  error: (issue) => `'${String(issue.input)}'. Expected an ID that begins with 'resp'.`,
});

export const ResponseFunctionToolSchema = z.strictObject({
  type: z.literal('function'),
  name: z
    .string()
    .regex(TOOL_NAME, {
      error: 'must be 1-64 characters of a-z, A-Z, 0-9, underscores and dashes.',
    })
    .refine((name) => name !== APPROVE_ACTION, {
      error: `'${APPROVE_ACTION}' is reserved for approvals of service-agent actions; choose another name.`,
    }),
  description: z
    .string()
    .max(1024 * 8)
    .nullable()
    .optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  strict: z.boolean().nullable().optional(),
});

export const ResponseFileSearchToolSchema = z.strictObject({
  type: z.literal('file_search'),
  vector_store_ids: z.array(idSchema('vectorStore')).min(1).max(2),
  filters: z.unknown().optional(),
  max_num_results: z.number().int().min(1).max(50).optional(),
  ranking_options: RankingOptionsSchema.partial().optional(),
});

export const ResponseCodeInterpreterToolSchema = z.strictObject({
  type: z.literal('code_interpreter'),
  container: z.union([
    z.string().min(1).max(128),
    z.strictObject({
      type: z.literal('auto'),
      file_ids: z.array(idSchema('file')).max(20).optional(),
    }),
  ]),
});

export const ResponseServiceAgentToolSchema = z.strictObject({
  type: z.literal('service_agent'),
  service_agent: z.strictObject({ id: idSchema('serviceAgent') }),
});

export const ResponseToolSchema = z.discriminatedUnion('type', [
  ResponseFunctionToolSchema,
  ResponseFileSearchToolSchema,
  ResponseCodeInterpreterToolSchema,
  ResponseServiceAgentToolSchema,
  McpToolSchema,
]);

export const ResponseToolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.strictObject({ type: z.literal('function'), name: z.string().regex(TOOL_NAME) }),
  z.strictObject({ type: z.enum(['file_search', 'code_interpreter']) }),
]);

export const TextFormatSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({
    type: z.literal('json_schema'),
    name: z.string().regex(TOOL_NAME, {
      error: 'must be 1-64 characters of a-z, A-Z, 0-9, underscores and dashes.',
    }),
    schema: z.record(z.string(), z.unknown()),
    description: z.string().optional(),
    strict: z.boolean().nullable().optional(),
  }),
]);

export const ResponseCreateParamsSchema = z.strictObject({
  model: ModelNameSchema,
  input: InputSchema.optional(),
  instructions: z
    .string()
    .max(256 * 1024)
    .nullable()
    .optional(),
  tools: z.array(ResponseToolSchema).max(128).optional(),
  tool_choice: ResponseToolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  text: z
    .strictObject({
      format: TextFormatSchema.optional(),
      verbosity: z.enum(['low', 'medium', 'high']).nullable().optional(),
    })
    .optional(),
  max_output_tokens: z.number().int().min(16).nullable().optional(),
  max_tool_calls: z.number().int().min(1).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  truncation: z.enum(['auto', 'disabled']).nullable().optional(),
  store: z.boolean().nullable().optional(),
  metadata: MetadataSchema.optional(),
  previous_response_id: ResponseIdSchema.nullable().optional(),
  conversation: ConversationParamSchema.nullable().optional(),
  background: z.boolean().nullable().optional(),
  include: z.array(z.string().max(128)).max(20).nullable().optional(),
  reasoning: z
    .strictObject({
      effort: ReasoningEffortSchema.optional(),
      summary: z.enum(['auto', 'concise', 'detailed']).nullable().optional(),
      generate_summary: z.enum(['auto', 'concise', 'detailed']).nullable().optional(),
    })
    .nullable()
    .optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z
    .strictObject({ include_obfuscation: z.boolean().optional() })
    .nullable()
    .optional(),
  user: z.string().max(512).optional(),
  safety_identifier: z.string().max(512).optional(),
  prompt_cache_key: z.string().max(512).optional(),
  // Accepted as OpenAI does; every response is served on our one tier, reported as `default`.
  service_tier: z
    .enum(['auto', 'default', 'flex', 'scale', 'priority', 'fast', 'ultrafast'])
    .nullable()
    .optional(),
});

export type ResponseCreateParams = z.output<typeof ResponseCreateParamsSchema>;

/** `POST /v1/responses/input_tokens` (OpenAI's `TokenCountsBody`): what a response would read. */
export const InputTokensParamsSchema = z.strictObject({
  model: ModelNameSchema.nullable().optional(),
  input: InputSchema.nullable().optional(),
  instructions: ResponseCreateParamsSchema.shape.instructions,
  tools: z.array(ResponseToolSchema).max(128).nullable().optional(),
  tool_choice: ResponseToolChoiceSchema.nullable().optional(),
  parallel_tool_calls: ResponseCreateParamsSchema.shape.parallel_tool_calls,
  text: ResponseCreateParamsSchema.shape.text.nullable(),
  reasoning: ResponseCreateParamsSchema.shape.reasoning,
  previous_response_id: ResponseCreateParamsSchema.shape.previous_response_id,
  conversation: ResponseCreateParamsSchema.shape.conversation,
  truncation: z.enum(['auto', 'disabled']).optional(),
  personality: z.string().max(64).optional(),
});

export type InputTokensParams = z.output<typeof InputTokensParamsSchema>;

export const InputTokensObjectSchema = z.object({
  object: z.literal('response.input_tokens'),
  input_tokens: z.number().int(),
});

/** `POST /v1/responses/compact` (OpenAI's `CompactResponseMethodPublicBody`). */
export const CompactParamsSchema = z.strictObject({
  model: ModelNameSchema,
  input: InputSchema.nullable().optional(),
  previous_response_id: ResponseIdSchema.nullable().optional(),
  instructions: ResponseCreateParamsSchema.shape.instructions,
  prompt_cache_key: z.string().max(64).nullable().optional(),
  prompt_cache_retention: z.enum(['in_memory', '24h']).nullable().optional(),
  service_tier: z.enum(['auto', 'default', 'flex', 'priority', 'fast']).nullable().optional(),
});

export type CompactParams = z.output<typeof CompactParamsSchema>;

const UsageSchema = z.object({
  input_tokens: z.number().int(),
  input_tokens_details: z.object({ cached_tokens: z.number().int() }),
  output_tokens: z.number().int(),
  output_tokens_details: z.object({ reasoning_tokens: z.number().int() }),
  total_tokens: z.number().int(),
});

/** OpenAI's `CompactResource`: the user messages kept, then one compaction item. */
export const CompactedResponseSchema = z.object({
  id: z.string(),
  object: z.literal('response.compaction'),
  created_at: z.number().int(),
  output: z.array(z.looseObject({ type: z.string(), id: z.string() })),
  usage: UsageSchema,
});

export const ResponsePathSchema = z.strictObject({ response_id: ResponseIdSchema });

export const ResponseRetrieveQuerySchema = z.strictObject({
  stream: z.enum(['true', 'false']).optional(),
  starting_after: z
    .string()
    .regex(/^\d+$/, { error: 'expected a non-negative integer.' })
    .transform(Number)
    .optional(),
  'include[]': z.union([z.string(), z.array(z.string())]).optional(),
  include_obfuscation: z.enum(['true', 'false']).optional(),
});

export const InputItemsQuerySchema = listQuerySchema({
  'include[]': z.union([z.string(), z.array(z.string())]).optional(),
});

/** The response object, for the OpenAPI document (items are described by OpenAI's spec). */
export const ResponseObjectSchema = z.object({
  id: z.string(),
  object: z.literal('response'),
  created_at: z.number().int(),
  status: z.enum(['completed', 'failed', 'in_progress', 'cancelled', 'queued', 'incomplete']),
  background: z.boolean(),
  completed_at: z.number().int().nullable(),
  error: z
    .object({
      code: z.enum([
        'server_error',
        'rate_limit_exceeded',
        'invalid_prompt',
        'vector_store_timeout',
      ]),
      message: z.string(),
    })
    .nullable(),
  incomplete_details: z
    .object({ reason: z.enum(['max_output_tokens', 'content_filter']) })
    .nullable(),
  instructions: z.string().nullable(),
  max_output_tokens: z.number().int().nullable(),
  max_tool_calls: z.number().int().nullable(),
  model: z.string(),
  output: z.array(z.looseObject({ type: z.string(), id: z.string() })),
  parallel_tool_calls: z.boolean(),
  previous_response_id: z.string().nullable(),
  reasoning: z.object({ effort: z.string().nullable(), summary: z.string().nullable() }),
  store: z.boolean(),
  temperature: z.number(),
  text: z.object({ format: z.looseObject({ type: z.string() }) }),
  tool_choice: z.unknown(),
  tools: z.array(z.looseObject({ type: z.string() })),
  top_p: z.number(),
  presence_penalty: z.number(),
  frequency_penalty: z.number(),
  top_logprobs: z.number().int(),
  service_tier: z.literal('default'),
  safety_identifier: z.string().nullable(),
  prompt_cache_key: z.string().nullable(),
  truncation: z.enum(['auto', 'disabled']),
  usage: UsageSchema.nullable(),
  metadata: MetadataObjectSchema,
  conversation: z.object({ id: z.string() }).nullable(),
});

export const DeletedResponseSchema = z.object({
  id: z.string(),
  object: z.literal('response'),
  deleted: z.boolean(),
});
