/** Tool, tool-resource and response-format request schemas shared by assistants, threads and runs. */
import { z } from 'zod';
import { APPROVE_ACTION } from '../../tools/tool.ts';
import { idSchema } from './common.schemas.ts';

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** A JSON Schema object as function parameters; only the outer shape is checked here. */
const JsonSchemaObject = z.record(z.string(), z.unknown());

export const FunctionToolSchema = z.strictObject({
  type: z.literal('function'),
  function: z.strictObject({
    name: z
      .string()
      .regex(TOOL_NAME, {
        error: 'must be 1-64 characters of a-z, A-Z, 0-9, underscores and dashes.',
      })
      // The server asks a person through a function call of this name; a client function with the same
      // name would let a model show a fake approval card.
      .refine((name) => name !== APPROVE_ACTION, {
        error: `'${APPROVE_ACTION}' is reserved for approvals of service-agent actions; choose another name.`,
      }),
    description: z
      .string()
      .max(1024 * 8)
      .optional(),
    parameters: JsonSchemaObject.optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

export const RankingOptionsSchema = z.strictObject({
  ranker: z.enum(['auto', 'default_2024_08_21']).optional(),
  score_threshold: z.number().min(0).max(1),
});

export const FileSearchToolSchema = z.strictObject({
  type: z.literal('file_search'),
  file_search: z
    .strictObject({
      max_num_results: z.number().int().min(1).max(50).optional(),
      ranking_options: RankingOptionsSchema.optional(),
    })
    .optional(),
});

export const CodeInterpreterToolSchema = z.strictObject({ type: z.literal('code_interpreter') });

export const ServiceAgentToolSchema = z.strictObject({
  type: z.literal('service_agent'),
  service_agent: z.strictObject({ id: idSchema('serviceAgent') }),
});

const McpFilterSchema = z.strictObject({
  tool_names: z.array(z.string().min(1).max(128)).max(256).optional(),
  read_only: z.boolean().optional(),
});

/**
 * OpenAI's `MCPTool` with a `server_url` (connectors and tunnels are OpenAI's own): an http(s) URL,
 * or `stdio:<name>` for a server the operator declared. Objects show `headers` and `authorization`
 * redacted (docs/mcp.md).
 */
export const McpToolSchema = z.strictObject({
  type: z.literal('mcp'),
  server_label: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/, {
    error: 'must start with a letter and have at most 64 letters, digits, underscores and dashes.',
  }),
  server_url: z
    .string()
    .max(2048)
    .refine((url) => /^stdio:[a-zA-Z0-9_-]{1,64}$/.test(url) || /^https?:\/\/[^\s]+$/.test(url), {
      error: 'must be an http(s) URL, or stdio:<name> for a server the operator declared.',
    }),
  server_description: z.string().max(4096).optional(),
  headers: z.record(z.string().min(1).max(256), z.string().max(8192)).nullable().optional(),
  authorization: z.string().max(8192).optional(),
  allowed_tools: z
    .union([z.array(z.string().min(1).max(128)).max(256), McpFilterSchema])
    .nullable()
    .optional(),
  require_approval: z
    .union([
      z.enum(['always', 'never']),
      z.strictObject({ always: McpFilterSchema.optional(), never: McpFilterSchema.optional() }),
    ])
    .nullable()
    .optional(),
});

export const ToolSchema = z.discriminatedUnion('type', [
  FunctionToolSchema,
  FileSearchToolSchema,
  CodeInterpreterToolSchema,
  ServiceAgentToolSchema,
  McpToolSchema,
]);

const ChunkingStrategySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auto') }),
  z.strictObject({
    type: z.literal('static'),
    static: z
      .strictObject({
        max_chunk_size_tokens: z.number().int().min(100).max(4096),
        chunk_overlap_tokens: z.number().int().min(0),
      })
      .refine((value) => value.chunk_overlap_tokens <= value.max_chunk_size_tokens / 2, {
        error: 'chunk_overlap_tokens must not exceed half of max_chunk_size_tokens.',
      }),
  }),
]);
export { ChunkingStrategySchema };

/** The `vector_stores` helper: create a vector store from files and attach it. */
const VectorStoreHelperSchema = z.strictObject({
  file_ids: z.array(idSchema('file')).max(10_000).optional(),
  chunking_strategy: ChunkingStrategySchema.optional(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullable().optional(),
});

function toolResourcesSchema(allowVectorStoreHelper: boolean) {
  const fileSearch = z
    .strictObject({
      vector_store_ids: z.array(idSchema('vectorStore')).max(1).optional(),
      ...(allowVectorStoreHelper
        ? { vector_stores: z.array(VectorStoreHelperSchema).max(1).optional() }
        : {}),
    })
    .refine(
      (value) => !('vector_stores' in value && value.vector_stores && value.vector_store_ids),
      {
        error: 'Provide either vector_store_ids or vector_stores, not both.',
      },
    );
  return z
    .strictObject({
      code_interpreter: z
        .strictObject({ file_ids: z.array(idSchema('file')).max(20).optional() })
        .optional(),
      file_search: fileSearch.optional(),
    })
    .nullable();
}

/** On create, `file_search.vector_stores` may create a store in place. */
export const CreateToolResourcesSchema = toolResourcesSchema(true);
/** On update and on runs, only ids. */
export const ToolResourcesSchema = toolResourcesSchema(false);

/** tool_resources as objects carry them: ids only, each key present only when set. */
export const ToolResourcesObjectSchema = z.object({
  code_interpreter: z.object({ file_ids: z.array(z.string()) }).optional(),
  file_search: z.object({ vector_store_ids: z.array(z.string()) }).optional(),
});

export const ResponseFormatSchema = z
  .union([
    z.literal('auto'),
    z.strictObject({ type: z.literal('text') }),
    z.strictObject({ type: z.literal('json_object') }),
    z.strictObject({
      type: z.literal('json_schema'),
      json_schema: z.strictObject({
        name: z.string().regex(TOOL_NAME, {
          error: 'must be 1-64 characters of a-z, A-Z, 0-9, underscores and dashes.',
        }),
        description: z.string().optional(),
        schema: JsonSchemaObject.optional(),
        strict: z.boolean().nullable().optional(),
      }),
    }),
  ])
  .nullable();

export const ReasoningEffortSchema = z
  .enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'])
  .nullable();
