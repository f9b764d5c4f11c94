/**
 * Request schemas of Responses items: the `input` of a response (a string, or items), and the items a
 * client adds to a conversation. A client may send back the output items it received (with their ids,
 * statuses and annotations), so those fields are accepted; anything else is refused by name.
 */
import { z } from 'zod';
import type { InputItem } from '../../domain/response-item.ts';

const MAX_TEXT = 10 * 1024 * 1024;
const ItemIdSchema = z.string().min(1).max(128);
const ItemStatusSchema = z.enum(['in_progress', 'completed', 'incomplete']);

export const InputTextSchema = z.strictObject({
  type: z.literal('input_text'),
  text: z.string().max(MAX_TEXT),
});

export const InputImageSchema = z
  .strictObject({
    type: z.literal('input_image'),
    detail: z.enum(['low', 'high', 'auto']).default('auto'),
    image_url: z.string().min(1).max(MAX_TEXT).nullable().optional(),
    file_id: z.string().min(1).max(128).nullable().optional(),
  })
  .refine((part) => Boolean(part.image_url) !== Boolean(part.file_id), {
    error: 'Provide exactly one of image_url or file_id.',
  });

export const InputFileSchema = z
  .strictObject({
    type: z.literal('input_file'),
    file_id: z.string().min(1).max(128).nullable().optional(),
    filename: z.string().min(1).max(512).optional(),
    file_data: z.string().min(1).max(MAX_TEXT).optional(),
    file_url: z.string().min(1).max(4096).optional(),
  })
  .refine((part) => Boolean(part.file_id) || Boolean(part.file_data) || Boolean(part.file_url), {
    error: 'Provide one of file_id, file_data or file_url.',
  });

const InputContentSchema = z.discriminatedUnion('type', [
  InputTextSchema,
  InputImageSchema,
  InputFileSchema,
]);

const AnnotationSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('file_citation'),
    file_id: z.string(),
    filename: z.string(),
    index: z.number().int(),
  }),
  z.strictObject({
    type: z.literal('url_citation'),
    url: z.string(),
    title: z.string(),
    start_index: z.number().int(),
    end_index: z.number().int(),
  }),
  z.strictObject({
    type: z.literal('container_file_citation'),
    container_id: z.string(),
    file_id: z.string(),
    filename: z.string(),
    start_index: z.number().int(),
    end_index: z.number().int(),
  }),
  z.strictObject({ type: z.literal('file_path'), file_id: z.string(), index: z.number().int() }),
]);

const OutputContentSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('output_text'),
    text: z.string().max(MAX_TEXT),
    annotations: z.array(AnnotationSchema).default([]),
    logprobs: z.array(z.unknown()).optional(),
  }),
  z.strictObject({ type: z.literal('refusal'), refusal: z.string().max(MAX_TEXT) }),
]);

/** A message from the client (`user`, `system`, `developer`): text, or content parts. */
const ClientMessageSchema = z.strictObject({
  type: z.literal('message'),
  id: ItemIdSchema.optional(),
  status: ItemStatusSchema.optional(),
  role: z.enum(['user', 'system', 'developer']),
  content: z.union([z.string().max(MAX_TEXT), z.array(InputContentSchema).max(1000)]),
});

/** A message the model wrote, sent back as history: text, or output parts. */
const AssistantMessageSchema = z.strictObject({
  type: z.literal('message'),
  id: ItemIdSchema.optional(),
  status: ItemStatusSchema.optional(),
  role: z.literal('assistant'),
  phase: z.enum(['commentary', 'final_answer']).nullable().optional(),
  content: z.union([z.string().max(MAX_TEXT), z.array(OutputContentSchema).max(1000)]),
});

export const FunctionCallSchema = z.strictObject({
  type: z.literal('function_call'),
  id: ItemIdSchema.optional(),
  status: ItemStatusSchema.optional(),
  call_id: z.string().min(1).max(128),
  name: z.string().min(1).max(128),
  arguments: z.string().max(MAX_TEXT),
});

export const FunctionCallOutputSchema = z.strictObject({
  type: z.literal('function_call_output'),
  id: ItemIdSchema.nullable().optional(),
  status: ItemStatusSchema.nullable().optional(),
  call_id: z.string().min(1).max(128),
  output: z.union([z.string().max(MAX_TEXT), z.array(InputContentSchema).max(1000)]),
});

/**
 * A reasoning item sent back: OpenAI's shape (an id, its `reasoning_text` content) or the Open
 * Responses param (id optional, `content: null`). `encrypted_content` is accepted and kept; this
 * server never makes one, so it is never read.
 */
export const ReasoningSchema = z.strictObject({
  type: z.literal('reasoning'),
  id: ItemIdSchema.nullable().optional(),
  status: ItemStatusSchema.nullable().optional(),
  summary: z.array(z.strictObject({ type: z.literal('summary_text'), text: z.string() })),
  content: z
    .array(z.strictObject({ type: z.literal('reasoning_text'), text: z.string() }))
    .nullable()
    .optional(),
  encrypted_content: z.string().nullable().optional(),
});

/** A compaction item from `POST /v1/responses/compact`, sent back as input. */
export const CompactionSchema = z.strictObject({
  type: z.literal('compaction'),
  id: ItemIdSchema.nullable().optional(),
  encrypted_content: z
    .string()
    .min(1)
    .max(2 * MAX_TEXT),
});

/** The answer to an `mcp_approval_request`: approve or decline the MCP call it asked about. */
export const McpApprovalResponseSchema = z.strictObject({
  type: z.literal('mcp_approval_response'),
  id: ItemIdSchema.nullable().optional(),
  approval_request_id: z.string().min(1).max(128),
  approve: z.boolean(),
  reason: z.string().max(4096).nullable().optional(),
});

const McpListedToolSchema = z.strictObject({
  name: z.string().min(1).max(128),
  description: z.string().max(65_536).nullable().optional(),
  input_schema: z.record(z.string(), z.unknown()),
  annotations: z.record(z.string(), z.unknown()).nullable().optional(),
});

/** An MCP server's listing, sent back as history (it spares the server a new listing). */
export const McpListToolsSchema = z.strictObject({
  type: z.literal('mcp_list_tools'),
  id: ItemIdSchema,
  server_label: z.string().min(1).max(64),
  tools: z.array(McpListedToolSchema).max(1000),
  error: z.string().max(MAX_TEXT).nullable().optional(),
});

/** An MCP call, sent back as history. */
export const McpCallSchema = z.strictObject({
  type: z.literal('mcp_call'),
  id: ItemIdSchema,
  server_label: z.string().min(1).max(64),
  name: z.string().min(1).max(128),
  arguments: z.string().max(MAX_TEXT),
  output: z.string().max(MAX_TEXT).nullable().optional(),
  error: z.unknown().optional(),
  status: z.enum(['in_progress', 'completed', 'incomplete', 'calling', 'failed']).optional(),
  approval_request_id: z.string().max(128).nullable().optional(),
});

/** An approval request, sent back as history. */
export const McpApprovalRequestSchema = z.strictObject({
  type: z.literal('mcp_approval_request'),
  id: ItemIdSchema,
  server_label: z.string().min(1).max(64),
  name: z.string().min(1).max(128),
  arguments: z.string().max(MAX_TEXT),
});

/** A stored item named by id (an item of an earlier response). */
export const ItemReferenceSchema = z.strictObject({
  type: z.literal('item_reference'),
  id: ItemIdSchema,
});

/** One input item; an item without `type` is a message (OpenAI's `EasyInputMessage`). */
export const InputItemSchema = z.preprocess(
  (value) =>
    value !== null && typeof value === 'object' && !Array.isArray(value) && !('type' in value)
      ? { type: 'message', ...value }
      : value,
  z.union([
    ClientMessageSchema,
    AssistantMessageSchema,
    FunctionCallSchema,
    FunctionCallOutputSchema,
    ReasoningSchema,
    CompactionSchema,
    McpApprovalResponseSchema,
    McpListToolsSchema,
    McpCallSchema,
    McpApprovalRequestSchema,
    ItemReferenceSchema,
  ]),
);

export type InputItemParam = z.output<typeof InputItemSchema>;

/** `input`: a user message as a string, or a list of items. */
export const InputSchema = z.union([
  z.string().max(MAX_TEXT),
  z.array(InputItemSchema).max(10_000),
]);

export type InputParam = z.output<typeof InputSchema>;

/** Item types that an item reference may resolve to (stored items). */
export type ResolvedItem = InputItem;
