/**
 * `POST /v1/chain/rpc`: standard Ethereum JSON-RPC against the server's chain, read methods only, with
 * the same API keys as the rest of the API. As JSON-RPC requires, every answer (errors included) is
 * HTTP 200 with JSON-RPC error objects; a request of notifications only gets 204 and no body.
 */
import type { Chain } from '../../chain/chain.ts';
import { answerJsonRpc } from '../../chain/json-rpc-proxy.ts';
import { defineRoute, type RouteDefinition } from '../../http/route.ts';

export function chainRoutes(chain: Chain): RouteDefinition[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/v1/chain/rpc',
      operationId: 'chainJsonRpc',
      summary: 'Ethereum JSON-RPC (read methods) against the chain the service agents use',
      tag: 'Chain',
      extension: true,
      handler: async ({ body, reply }) => {
        const answer = await answerJsonRpc(chain, body);
        if (answer === undefined) return reply.status(204).send();
        return answer;
      },
    }),
  ];
}
