/**
 * A chain reached over JSON-RPC at any URL (`CONCIERGE_CHAIN_RPC_URL`), signing with the key from
 * `CONCIERGE_CHAIN_PRIVATE_KEY`; without a key it is read-only. Node errors are normalized to
 * `JsonRpcError` (reverts keep their bytes), so both adapters look the same to viem and the proxy;
 * an unreachable node is a `ChainUnavailableError`.
 */
import { http, type Transport } from 'viem';
import type { Secret } from '../../config/secret.ts';
import type { Chain } from '../chain.ts';
import { ChainUnavailableError } from '../chain-errors.ts';
import { JsonRpcError } from '../json-rpc-error.ts';
import { createChainSigner } from '../viem-chain/chain-signer.ts';
import { createLazyChain } from '../viem-chain/lazy-chain.ts';
import { createViemChain } from '../viem-chain/viem-chain.ts';

export interface RpcChainOptions {
  url: string;
  /** The signer's key; undefined makes the chain read-only. */
  privateKey: Secret | undefined;
  /** Per request. */
  timeoutMilliseconds?: number;
}

interface NodeError {
  name?: string;
  code?: unknown;
  details?: unknown;
  data?: unknown;
}

/** The URL without credentials or query, for messages: RPC URLs often embed API keys. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : '/…'}`;
  } catch {
    return 'the configured URL';
  }
}

function requester(url: string, timeout: number) {
  const transport = http(url, { retryCount: 0, timeout })({
    retryCount: 0,
  }) as ReturnType<Transport>;
  return async (method: string, params?: unknown): Promise<unknown> => {
    try {
      return await transport.request({ method, params } as never);
    } catch (error) {
      const nodeError = error as NodeError;
      if (nodeError.name === 'RpcRequestError' && typeof nodeError.code === 'number') {
        throw new JsonRpcError(
          nodeError.code,
          String(nodeError.details ?? 'error'),
          nodeError.data,
        );
      }
      throw new ChainUnavailableError(
        `The chain at ${redactedUrl(url)} is not reachable (${nodeError.name ?? 'error'}).`,
      );
    }
  };
}

export function createRpcChain({
  url,
  privateKey,
  timeoutMilliseconds = 30_000,
}: RpcChainOptions): Chain {
  return createLazyChain('rpc', async () => {
    const request = requester(url, timeoutMilliseconds);
    const chainId = Number(BigInt((await request('eth_chainId')) as string));
    return createViemChain({
      kind: 'rpc',
      chainId,
      request,
      signer: privateKey
        ? createChainSigner(privateKey, 'configured signer (CONCIERGE_CHAIN_PRIVATE_KEY)')
        : undefined,
      pollingIntervalMilliseconds: 500,
    });
  });
}
