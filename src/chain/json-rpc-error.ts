/** A JSON-RPC error object as a throwable: what a node answered, or what the proxy answers. */

/** Standard JSON-RPC 2.0 codes, plus the de-facto Ethereum code for a reverted call. */
export const JSON_RPC_CODES = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** Geth's code for a request that did not finish in time. */
  timeout: -32002,
  /** EIP-1474's "limit exceeded": too many requests in flight; clients (viem) retry it. */
  limitExceeded: -32005,
  /** Geth's code for `execution reverted`; `data` carries the revert bytes so clients can decode them. */
  executionReverted: 3,
} as const;

export class JsonRpcError extends Error {
  override name = 'JsonRpcError';
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.code = code;
    this.data = data;
  }

  /** The `error` member of a JSON-RPC response. */
  toJSON(): { code: number; message: string; data?: unknown } {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}
