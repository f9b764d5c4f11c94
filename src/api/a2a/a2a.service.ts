/**
 * Every assistant as an A2A agent: its card, and its JSON-RPC endpoint. Protocol v1.0 methods
 * (`SendMessage`, `SendStreamingMessage`, `GetTask`, `CancelTask`, `SubscribeToTask`) and their v0.3
 * names (`message/send`, `message/stream`, `tasks/get`, `tasks/cancel`, `tasks/resubscribe`) are served
 * by the SDK's transport handlers over one `AssistantTaskHandler`; the method name picks the version.
 */
import type { Assistant } from '../../domain/assistant.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { RunsEngine } from '../../engine/runs-engine.ts';
import type { Store } from '../../storage/store.ts';
import type { JsonRpcRequest } from './a2a.schemas.ts';

export interface A2aServiceOptions {
  store: Store;
  /** Starts, cancels and continues the runs behind tasks. */
  runs: RunsEngine;
  /** Concierge's version, published as each agent's version. */
  version: string;
}

/** Where the request came in, for the URLs a card and a task give out. */
export interface A2aRequestContext {
  /** Scheme, host and port the caller used, e.g. `http://127.0.0.1:8787`. */
  origin: string;
  /** The `A2A-Version` the caller asked for, if any. */
  requestedVersion: string | undefined;
  /** Aborted when the caller goes away. */
  signal: AbortSignal;
  /** The delegation level the caller claimed (`Concierge-Delegation-Depth`; 0 without it). */
  delegationDepth?: number;
  /** Told about failures that are the server's fault (the caller sees a generic error). */
  onError?(error: unknown): void;
}

/** A JSON-RPC response object, or a stream of them (SSE). */
export type JsonRpcResult =
  | { jsonrpc: string; id: string | number | null }
  | AsyncGenerator<{ jsonrpc: string; id: string | number | null }, void, undefined>;

export function isStream(result: JsonRpcResult): result is Extract<JsonRpcResult, AsyncGenerator> {
  return Symbol.asyncIterator in result;
}

type JsonRpcStream = AsyncGenerator<
  { jsonrpc: string; id: string | number | null },
  void,
  undefined
>;

/** A stream whose failure becomes its last item, a JSON-RPC error object, as A2A clients read it. */
async function* endWithError(
  stream: JsonRpcStream,
  id: string | number | null,
  mapError: (error: unknown) => unknown,
): JsonRpcStream {
  try {
    yield* stream;
  } catch (error) {
    yield { jsonrpc: '2.0', id, error: mapError(error) } as {
      jsonrpc: string;
      id: string | number | null;
    };
  }
}

/** Whether a caller asked for protocol 1.x; without the header, A2A clients are v0.3 ones. */
function wantsV1(requestedVersion: string | undefined): boolean {
  return requestedVersion !== undefined && /^1(\.|$)/.test(requestedVersion.trim());
}

function endpointOf(origin: string, assistantId: string): string {
  return `${origin}/v1/a2a/${assistantId}`;
}

/** The A2A SDK, and the cards and task handler built on it, loaded with the first A2A request. */
async function loadSdk() {
  const [sdk, compat, compatServer, server, cards, tasks] = await Promise.all([
    import('@a2a-js/sdk'),
    import('@a2a-js/sdk/compat/v0_3'),
    import('@a2a-js/sdk/compat/v0_3/server'),
    import('@a2a-js/sdk/server'),
    import('./assistant-agent-card.ts'),
    import('./assistant-task-handler.ts'),
  ]);
  return {
    AgentCard: sdk.AgentCard,
    isLegacyJsonRpcMethod: compat.isLegacyJsonRpcMethod,
    LegacyJsonRpcTransportHandler: compatServer.LegacyJsonRpcTransportHandler,
    JsonRpcTransportHandler: server.JsonRpcTransportHandler,
    ServerCallContext: server.ServerCallContext,
    agentCardOf: cards.agentCardOf,
    legacyAgentCardOf: cards.legacyAgentCardOf,
    AssistantTaskHandler: tasks.AssistantTaskHandler,
  };
}

export function createA2aService({ store, runs, version }: A2aServiceOptions) {
  let sdk: ReturnType<typeof loadSdk> | undefined;
  const loaded = () => (sdk ??= loadSdk());

  async function requireAssistant(projectId: string, assistantId: string): Promise<Assistant> {
    const assistant = await store.assistants.find(projectId, assistantId);
    if (!assistant) throw NotFoundError.object('assistant', assistantId, 'assistant_id');
    return assistant;
  }

  return {
    /** The assistant's card: v1.0's shape for callers that ask for 1.x, v0.3's otherwise. */
    async card(
      projectId: string,
      assistantId: string,
      { origin, requestedVersion }: Pick<A2aRequestContext, 'origin' | 'requestedVersion'>,
    ): Promise<unknown> {
      const assistant = await requireAssistant(projectId, assistantId);
      const { agentCardOf, legacyAgentCardOf } = await loaded();
      const context = { endpoint: endpointOf(origin, assistant.id), origin, version };
      return wantsV1(requestedVersion)
        ? agentCardOf(assistant, context)
        : legacyAgentCardOf(assistant, context);
    },

    /** Handles one JSON-RPC request to the assistant's endpoint. Protocol errors are JSON-RPC error objects. */
    async handle(
      projectId: string,
      assistantId: string,
      request: JsonRpcRequest,
      { origin, requestedVersion, signal, onError, delegationDepth }: A2aRequestContext,
    ): Promise<JsonRpcResult> {
      const assistant = await requireAssistant(projectId, assistantId);
      const {
        AgentCard,
        agentCardOf,
        AssistantTaskHandler,
        isLegacyJsonRpcMethod,
        JsonRpcTransportHandler,
        LegacyJsonRpcTransportHandler,
        ServerCallContext,
      } = await loaded();
      const card = AgentCard.fromJSON(
        agentCardOf(assistant, { endpoint: endpointOf(origin, assistant.id), origin, version }),
      );
      const handler = new AssistantTaskHandler({
        store,
        runs,
        projectId,
        assistant,
        card,
        signal,
        ...(onError ? { onError } : {}),
        ...(delegationDepth !== undefined ? { delegationDepth } : {}),
        fileUrl: (fileId) => `${origin}/v1/files/${fileId}/content`,
      });
      const legacy = isLegacyJsonRpcMethod(request.method);
      const context = new ServerCallContext({
        requestedVersion: legacy ? '0.3' : (requestedVersion ?? '1.0'),
      });
      const transport = legacy
        ? new LegacyJsonRpcTransportHandler(handler)
        : new JsonRpcTransportHandler(handler);
      const result = (await transport.handle(
        request as Record<string, unknown>,
        context,
      )) as JsonRpcResult;
      if (!isStream(result)) return result;
      const mapError = legacy
        ? LegacyJsonRpcTransportHandler.mapToLegacyJSONRPCError
        : JsonRpcTransportHandler.mapToJSONRPCError;
      return endWithError(result, request.id ?? null, mapError);
    },
  };
}

export type A2aService = ReturnType<typeof createA2aService>;
