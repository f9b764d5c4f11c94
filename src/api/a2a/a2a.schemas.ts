/** `/v1/a2a/{assistant_id}`: the JSON-RPC envelope (methods and params are the A2A SDK's to check) and the card, for the OpenAPI document. */
import { z } from 'zod';
import { idSchema } from '../shared/common.schemas.ts';

export const A2aPathSchema = z.strictObject({ assistant_id: idSchema('assistant') });

export const JsonRpcRequestSchema = z.strictObject({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string().max(200), z.number().int(), z.null()]).optional(),
  method: z.string().min(1).max(100),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type JsonRpcRequest = z.infer<typeof JsonRpcRequestSchema>;

export const JsonRpcResponseSchema = z
  .object({
    jsonrpc: z.literal('2.0'),
    id: z.union([z.string(), z.number(), z.null()]),
    result: z.unknown().optional(),
    error: z
      .object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() })
      .optional(),
  })
  .describe('A JSON-RPC 2.0 response; streaming methods answer with an SSE stream of these.');

export const AgentCardSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    version: z.string(),
    supportedInterfaces: z
      .array(
        z.object({ url: z.string(), protocolBinding: z.string(), protocolVersion: z.string() }),
      )
      .optional(),
    url: z.string().optional(),
    protocolVersion: z.string().optional(),
    capabilities: z.object({
      streaming: z.boolean().optional(),
      pushNotifications: z.boolean().optional(),
    }),
    skills: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        description: z.string(),
        tags: z.array(z.string()),
      }),
    ),
  })
  .describe(
    'An A2A agent card: protocol v1.0 fields (supportedInterfaces) with `A2A-Version: 1.0`, v0.3 fields (url, protocolVersion) otherwise.',
  );
