/** Request and response schemas of `/v1/assistants`. */
import { z } from 'zod';
import type { Assistant } from '../../domain/assistant.ts';
import {
  idSchema,
  listQuerySchema,
  MetadataObjectSchema,
  MetadataSchema,
  ModelNameSchema,
} from '../shared/common.schemas.ts';
import type { Assert, SameType } from '../shared/same-type.ts';
import {
  CreateToolResourcesSchema,
  ReasoningEffortSchema,
  ResponseFormatSchema,
  ToolResourcesObjectSchema,
  ToolResourcesSchema,
  ToolSchema,
} from '../shared/tools.schemas.ts';

const fields = {
  model: ModelNameSchema,
  name: z.string().max(256).nullable().optional(),
  description: z.string().max(512).nullable().optional(),
  instructions: z.string().max(256_000).nullable().optional(),
  reasoning_effort: ReasoningEffortSchema.optional(),
  tools: z.array(ToolSchema).max(128).optional(),
  metadata: MetadataSchema.optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  response_format: ResponseFormatSchema.optional(),
};

export const AssistantCreateParamsSchema = z.strictObject({
  ...fields,
  tool_resources: CreateToolResourcesSchema.optional(),
});
export type AssistantCreateParams = z.infer<typeof AssistantCreateParamsSchema>;

export const AssistantUpdateParamsSchema = z.strictObject({
  ...fields,
  model: fields.model.optional(),
  tool_resources: ToolResourcesSchema.optional(),
});
export type AssistantUpdateParams = z.infer<typeof AssistantUpdateParamsSchema>;

export const AssistantPathSchema = z.strictObject({ assistant_id: idSchema('assistant') });
export const AssistantListQuerySchema = listQuerySchema();

/** The assistant object as every assistants route returns it. */
export const AssistantSchema = z.object({
  id: z.string(),
  object: z.literal('assistant'),
  created_at: z.number().int(),
  name: z.string().nullable(),
  description: z.string().nullable(),
  model: z.string(),
  instructions: z.string().nullable(),
  tools: z.array(ToolSchema),
  tool_resources: ToolResourcesObjectSchema,
  metadata: MetadataObjectSchema,
  temperature: z.number().nullable(),
  top_p: z.number().nullable(),
  response_format: ResponseFormatSchema,
  reasoning_effort: ReasoningEffortSchema,
});
export type AssistantSchemaMatches = Assert<SameType<z.output<typeof AssistantSchema>, Assistant>>;
