/**
 * Answers standard Ethereum JSON-RPC against the server's chain, for users inspecting what their
 * assistants did with their own tools (viem, cast, a wallet). Only read methods pass; signing,
 * sending and node-control methods (`hardhat_*`, `evm_*`, …) get -32601. Requests and batches follow
 * JSON-RPC 2.0: malformed ones get -32600, notifications get no answer, errors keep the request's id.
 */
import type { Chain } from './chain.ts';
import { ChainUnavailableError } from './chain-errors.ts';
import { JSON_RPC_CODES, JsonRpcError } from './json-rpc-error.ts';

/** Methods that read state and never change it, sign or send. */
export const READ_METHODS: ReadonlySet<string> = new Set([
  'eth_accounts',
  'eth_blobBaseFee',
  'eth_blockNumber',
  'eth_call',
  'eth_chainId',
  'eth_createAccessList',
  'eth_estimateGas',
  'eth_feeHistory',
  'eth_gasPrice',
  'eth_getBalance',
  'eth_getBlockByHash',
  'eth_getBlockByNumber',
  'eth_getBlockReceipts',
  'eth_getBlockTransactionCountByHash',
  'eth_getBlockTransactionCountByNumber',
  'eth_getCode',
  'eth_getLogs',
  'eth_getProof',
  'eth_getStorageAt',
  'eth_getTransactionByBlockHashAndIndex',
  'eth_getTransactionByBlockNumberAndIndex',
  'eth_getTransactionByHash',
  'eth_getTransactionCount',
  'eth_getTransactionReceipt',
  'eth_maxPriorityFeePerGas',
  'eth_syncing',
  'net_listening',
  'net_version',
  'web3_clientVersion',
  'web3_sha3',
]);

/** The most requests one batch may carry. */
export const MAX_BATCH = 100;

export type JsonRpcId = string | number | null;

export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: JsonRpcId;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

function failure(id: JsonRpcId, error: JsonRpcError): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: error.toJSON() };
}

function isId(value: unknown): value is JsonRpcId {
  return (
    value === null ||
    typeof value === 'string' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

async function answerOne(chain: Chain, item: unknown): Promise<JsonRpcResponse | undefined> {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return failure(
      null,
      new JsonRpcError(
        JSON_RPC_CODES.invalidRequest,
        'Invalid Request: expected a JSON-RPC 2.0 request object.',
      ),
    );
  }
  const request = item as Record<string, unknown>;
  const id = isId(request['id']) ? request['id'] : null;
  const params = request['params'];
  if (
    request['jsonrpc'] !== '2.0' ||
    typeof request['method'] !== 'string' ||
    ('id' in request && !isId(request['id']))
  ) {
    return failure(
      id,
      new JsonRpcError(
        JSON_RPC_CODES.invalidRequest,
        'Invalid Request: needs "jsonrpc": "2.0", a string "method", and an "id" that is a string, number or null.',
      ),
    );
  }
  if (params !== undefined && (params === null || typeof params !== 'object')) {
    return failure(
      id,
      new JsonRpcError(
        JSON_RPC_CODES.invalidRequest,
        'Invalid Request: "params" must be an array or an object.',
      ),
    );
  }
  // A notification asks for no answer, and a read method has no effect: nothing to do.
  if (!('id' in request)) return undefined;
  const method = request['method'];
  if (!READ_METHODS.has(method)) {
    return failure(
      id,
      new JsonRpcError(
        JSON_RPC_CODES.methodNotFound,
        `The method ${method} is not available here: this endpoint serves read methods only (no signing, sending, or node control).`,
      ),
    );
  }
  try {
    return {
      jsonrpc: '2.0',
      id,
      result: (await chain.request({ method, params: params ?? [] })) ?? null,
    };
  } catch (error) {
    if (error instanceof JsonRpcError) return failure(id, error);
    if (error instanceof ChainUnavailableError) throw error;
    return failure(
      id,
      new JsonRpcError(JSON_RPC_CODES.internalError, `The chain could not answer ${method}.`),
    );
  }
}

/**
 * Answers one request or a batch; undefined when nothing is to be answered (only notifications).
 * Throws `ChainUnavailableError` when the chain cannot be reached at all.
 */
export async function answerJsonRpc(
  chain: Chain,
  body: unknown,
): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
  if (!Array.isArray(body)) return answerOne(chain, body);
  if (body.length === 0)
    return failure(
      null,
      new JsonRpcError(JSON_RPC_CODES.invalidRequest, 'Invalid Request: the batch is empty.'),
    );
  if (body.length > MAX_BATCH) {
    return failure(
      null,
      new JsonRpcError(
        JSON_RPC_CODES.invalidRequest,
        `Invalid Request: a batch may hold at most ${MAX_BATCH} requests.`,
      ),
    );
  }
  const answers: JsonRpcResponse[] = [];
  for (const item of body) {
    const answer = await answerOne(chain, item);
    if (answer) answers.push(answer);
  }
  return answers.length > 0 ? answers : undefined;
}
