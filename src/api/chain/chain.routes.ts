/**
 * `POST /v1/chain/rpc`: standard Ethereum JSON-RPC against the server's chain, read methods only, with
 * the same API keys as the rest of the API. As JSON-RPC requires, every answer (errors included) is
 * HTTP 200 with JSON-RPC error objects; a request of notifications only gets 204 and no body. The one
 * exception is a project over its number of requests in flight: HTTP 429 with `Retry-After` and a
 * JSON-RPC -32005 "limit exceeded" body, which is what rate-limited Ethereum nodes answer and what
 * viem and ethers retry.
 */
import type { Chain } from '../../chain/chain.ts';
import { createInFlightLimit } from '../../chain/in-flight-limit.ts';
import {
  answerJsonRpc,
  DEFAULT_JSON_RPC_LIMITS,
  limitExceededAnswer,
  type JsonRpcLimits,
} from '../../chain/json-rpc-proxy.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';

export interface ChainRpcOptions {
  limits: JsonRpcLimits;
  /** The most `/v1/chain/rpc` requests one project may have in flight on this server. */
  maxInFlightPerProject: number;
}

export const DEFAULT_CHAIN_RPC_OPTIONS: ChainRpcOptions = {
  limits: DEFAULT_JSON_RPC_LIMITS,
  maxInFlightPerProject: 4,
};

export function chainRoutes(
  chain: Chain,
  options: ChainRpcOptions = DEFAULT_CHAIN_RPC_OPTIONS,
): RouteDefinition[] {
  const inFlight = createInFlightLimit(options.maxInFlightPerProject);
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/chain/rpc',
      operationId: 'chainJsonRpc',
      summary: 'Ethereum JSON-RPC (read methods) against the chain the service agents use',
      tag: 'Chain',
      extension: true,
      handler: async ({ body, reply, projectId }) => {
        const leave = inFlight.enter(projectId);
        if (!leave) {
          reply.status(429).header('retry-after', '1');
          return limitExceededAnswer(body, options.maxInFlightPerProject);
        }
        try {
          const answer = await answerJsonRpc(chain, body, {
            caller: projectId,
            limits: options.limits,
          });
          if (answer === undefined) return reply.status(204).send();
          return answer;
        } finally {
          leave();
        }
      },
    }),
  ];
}
