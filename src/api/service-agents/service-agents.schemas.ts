/** Request and response schemas of `/v1/service_agents` (a Concierge extension). */
import { z } from 'zod';
import { COUNTERPARTY_KINDS, MAX_ALLOWLIST_ENTRIES } from '../../domain/counterparty.ts';
import type { ServiceAgent } from '../../domain/service-agent.ts';
import {
  idSchema,
  listQuerySchema,
  MetadataObjectSchema,
  MetadataSchema,
} from '../shared/common.schemas.ts';
import type { Assert, SameType } from '../shared/same-type.ts';

const money = z.number().min(0).max(1e12);

/** One optional allowlist per counterparty kind (`allowed_assets`, …), from the domain's list. */
function allowlistSchemas() {
  return Object.fromEntries(
    COUNTERPARTY_KINDS.map(({ allowlist, maxLength }) => [
      allowlist,
      z.array(z.string().min(1).max(maxLength)).max(MAX_ALLOWLIST_ENTRIES).nullable().optional(),
    ]),
  ) as Record<
    (typeof COUNTERPARTY_KINDS)[number]['allowlist'],
    z.ZodOptional<z.ZodNullable<z.ZodArray<z.ZodString>>>
  >;
}

export const PolicySchema = z.strictObject({
  max_per_action_usd: money.nullable().optional(),
  max_per_period_usd: money.nullable().optional(),
  period: z.enum(['day', 'week', 'month']).optional(),
  auto_approve_below_usd: money.nullable().optional(),
  ...allowlistSchemas(),
  max_slippage_bps: z.number().int().min(0).max(10_000).nullable().optional(),
  always_ask: z.boolean().optional(),
});

const name = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, {
  error:
    'must be 1-64 characters of a-z, A-Z, 0-9, underscores and dashes (it is the tool name the model sees).',
});
const inputSchema = z.record(z.string(), z.unknown());

export const ServiceAgentCreateParamsSchema = z.strictObject({
  name,
  description: z.string().max(4096).optional(),
  kind: z.enum(['builtin', 'assistant', 'a2a']),
  builtin: z.string().min(1).max(64).optional(),
  assistant_id: idSchema('assistant').optional(),
  url: z.string().url().max(2048).optional(),
  input_schema: inputSchema.optional(),
  policy: PolicySchema.optional(),
  metadata: MetadataSchema.optional(),
});
export type ServiceAgentCreateParams = z.infer<typeof ServiceAgentCreateParamsSchema>;

export const ServiceAgentUpdateParamsSchema = z.strictObject({
  name: name.optional(),
  description: z.string().max(4096).optional(),
  input_schema: inputSchema.optional(),
  policy: PolicySchema.optional(),
  metadata: MetadataSchema.optional(),
});
export type ServiceAgentUpdateParams = z.infer<typeof ServiceAgentUpdateParamsSchema>;

export const ServiceAgentPathSchema = z.strictObject({
  service_agent_id: idSchema('serviceAgent'),
});
export const ServiceAgentListQuerySchema = listQuerySchema();

export const ActionPathSchema = z.strictObject({ action_id: idSchema('action') });
/** A person's answer to an action proposed outside a run (over MCP). */
export const ActionApprovalParamsSchema = z.strictObject({
  approved: z.boolean(),
  reason: z.string().max(2000).optional(),
});
export type ActionApprovalParams = z.infer<typeof ActionApprovalParamsSchema>;
/** A person's resolution of an action in `needs_review`, after checking with the provider. */
export const ActionResolutionParamsSchema = z.strictObject({
  outcome: z.enum(['succeeded', 'failed']),
  note: z.string().max(2000).optional(),
});
export type ActionResolutionParams = z.infer<typeof ActionResolutionParamsSchema>;
export const ActionListQuerySchema = listQuerySchema({
  run_id: idSchema('run').optional(),
  service_agent_id: idSchema('serviceAgent').optional(),
  status: z
    .enum([
      'pending_approval',
      'approved',
      'executing',
      'denied',
      'declined',
      'expired',
      'executed',
      'failed',
      'superseded',
      'needs_review',
    ])
    .optional(),
});

/** The service agent object as every service agent route returns it. */
export const ServiceAgentSchema = z.object({
  id: z.string(),
  object: z.literal('service_agent'),
  created_at: z.number().int(),
  name: z.string(),
  description: z.string(),
  kind: z.enum(['builtin', 'assistant', 'a2a']),
  input_schema: z.record(z.string(), z.unknown()),
  policy: PolicySchema,
  metadata: MetadataObjectSchema,
  builtin: z.string().nullable(),
  assistant_id: z.string().nullable(),
  url: z.string().nullable(),
});
export type ServiceAgentSchemaMatches = Assert<
  SameType<z.output<typeof ServiceAgentSchema>, ServiceAgent>
>;
