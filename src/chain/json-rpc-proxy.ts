/**
 * Answers standard Ethereum JSON-RPC against the server's chain, for users inspecting what their
 * assistants did with their own tools (viem, cast, a wallet). Only read methods pass; signing,
 * sending and node-control methods (`hardhat_*`, `evm_*`, …) get -32601. Requests and batches follow
 * JSON-RPC 2.0: malformed ones get -32600, notifications get no answer, errors keep the request's id.
 *
 * The chain is shared by every project and by the service agents, so no caller may hold it: calls that
 * execute code run with at most `gasCap` gas (which bounds their CPU time), each call is answered
 * -32002 after `callTimeoutMilliseconds`, and batches hold at most `maxBatch` requests.
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

/** The most requests one batch may carry, by default. */
export const MAX_BATCH = 100;

/** What one caller may ask of the shared chain. */
export interface JsonRpcLimits {
  /** The most gas an `eth_call`, `eth_estimateGas` or `eth_createAccessList` runs with. */
  gasCap: bigint;
  /** How long one call may wait and run before it is answered with -32002. */
  callTimeoutMilliseconds: number;
  /** The most requests one batch may carry. */
  maxBatch: number;
}

export const DEFAULT_JSON_RPC_LIMITS: JsonRpcLimits = {
  gasCap: 2_000_000n,
  callTimeoutMilliseconds: 5_000,
  maxBatch: MAX_BATCH,
};

/** Methods that execute EVM code with the gas the caller names (or, unnamed, the block's limit). */
const EXECUTING_METHODS: ReadonlySet<string> = new Set([
  'eth_call',
  'eth_estimateGas',
  'eth_createAccessList',
]);

export interface JsonRpcCaller {
  /** Who asks (a project): the chain lets callers take turns. */
  caller: string;
  limits: JsonRpcLimits;
}

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

/**
 * `params` with the call's gas limited to `gasCap`: set when the caller names none, lowered when it
 * names more. A gas value that is not a quantity is left for the node to refuse.
 */
export function withGasCap(method: string, params: unknown, gasCap: bigint): unknown {
  if (!EXECUTING_METHODS.has(method) || !Array.isArray(params)) return params;
  const [call, ...rest] = params as unknown[];
  if (call === null || typeof call !== 'object' || Array.isArray(call)) return params;
  const gas = (call as Record<string, unknown>)['gas'];
  let named: bigint | undefined;
  try {
    named = typeof gas === 'string' || typeof gas === 'number' ? BigInt(gas) : undefined;
  } catch {
    return params;
  }
  if (gas !== undefined && named === undefined) return params;
  if (named !== undefined && named <= gasCap) return params;
  return [{ ...call, gas: `0x${gasCap.toString(16)}` }, ...rest];
}

/** The chain's answer, or -32002 when it takes longer than the limit (a queued call is then dropped). */
async function requestWithin(
  chain: Chain,
  method: string,
  params: unknown,
  { caller, limits }: JsonRpcCaller,
): Promise<unknown> {
  const controller = new AbortController();
  const timedOut = new JsonRpcError(
    JSON_RPC_CODES.timeout,
    `request timed out: ${method} did not finish within ${limits.callTimeoutMilliseconds} ms on the shared chain.`,
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort(timedOut);
      reject(timedOut);
    }, limits.callTimeoutMilliseconds);
  });
  const capped = withGasCap(method, params, limits.gasCap);
  const forward = (forwarded: string) =>
    chain.request({ method: forwarded, params: capped, caller, signal: controller.signal });
  try {
    return await Promise.race([
      // A node estimates by searching for the least gas that succeeds, one execution per step (an
      // infinite loop costs EDR some 20 executions). One capped eth_call first refuses, in a single
      // execution, what cannot succeed within the cap.
      method === 'eth_estimateGas'
        ? forward('eth_call').then(() => forward(method))
        : forward(method),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function answerOne(
  chain: Chain,
  item: unknown,
  caller: JsonRpcCaller,
): Promise<JsonRpcResponse | undefined> {
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
      result: (await requestWithin(chain, method, params ?? [], caller)) ?? null,
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
  caller: JsonRpcCaller = { caller: '', limits: DEFAULT_JSON_RPC_LIMITS },
): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
  if (!Array.isArray(body)) return answerOne(chain, body, caller);
  const { maxBatch } = caller.limits;
  if (body.length === 0)
    return failure(
      null,
      new JsonRpcError(JSON_RPC_CODES.invalidRequest, 'Invalid Request: the batch is empty.'),
    );
  if (body.length > maxBatch) {
    return failure(
      null,
      new JsonRpcError(
        JSON_RPC_CODES.invalidRequest,
        `Invalid Request: a batch may hold at most ${maxBatch} requests, and this one holds ${body.length}.`,
      ),
    );
  }
  const answers: JsonRpcResponse[] = [];
  for (const item of body) {
    const answer = await answerOne(chain, item, caller);
    if (answer) answers.push(answer);
  }
  return answers.length > 0 ? answers : undefined;
}

/**
 * The answer to a request refused because its caller already has the most calls in flight: EIP-1474's
 * -32005 "limit exceeded", which viem and ethers retry, with the request's id when it has one.
 */
export function limitExceededAnswer(body: unknown, maxInFlight: number): JsonRpcResponse {
  const item = body as Record<string, unknown> | null;
  const id =
    !Array.isArray(body) && item !== null && typeof item === 'object' && isId(item['id'])
      ? item['id']
      : null;
  return failure(
    id,
    new JsonRpcError(
      JSON_RPC_CODES.limitExceeded,
      `limit exceeded: this project already has ${maxInFlight} JSON-RPC requests in flight on the shared chain; retry when one has been answered.`,
    ),
  );
}
