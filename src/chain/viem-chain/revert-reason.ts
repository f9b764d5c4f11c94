/**
 * Classifies a failed call or estimate: a revert (with its decoded reason), the chain being
 * unreachable, or the node refusing the transaction for another reason. Revert bytes are found on the
 * error or any of its causes, however the transport wrapped them (custom EDR transport or HTTP).
 */
import { decodeErrorResult, isHex, type Abi, type Hex } from 'viem';
import {
  ChainUnavailableError,
  TransactionRejectedError,
  TransactionRevertedError,
  type RevertReason,
} from '../chain-errors.ts';
import { JSON_RPC_CODES } from '../json-rpc-error.ts';
import { OPENZEPPELIN_ERRORS } from './openzeppelin-errors.ts';

export type CallFailure =
  | { kind: 'reverted'; reason: RevertReason }
  | { kind: 'unreachable'; message: string }
  | { kind: 'rejected'; message: string };

interface ErrorLike {
  code?: unknown;
  data?: unknown;
  message?: unknown;
  details?: unknown;
  name?: unknown;
  cause?: unknown;
}

function chainOf(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && chain.length < 16) {
    chain.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return chain;
}

function revertData(link: ErrorLike): Hex | undefined {
  if (isHex(link.data)) return link.data;
  const nested = (link.data as { data?: unknown } | undefined)?.data;
  return isHex(nested) ? nested : undefined;
}

const PANICS: Record<number, string> = {
  0x01: 'assertion failed',
  0x11: 'arithmetic overflow or underflow',
  0x12: 'division by zero',
  0x21: 'invalid enum value',
  0x31: 'pop on an empty array',
  0x32: 'array index out of bounds',
  0x41: 'out of memory',
  0x51: 'call to an uninitialized function',
};

function formatValue(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return JSON.stringify(value);
  return (
    JSON.stringify(value, (_key, item: unknown) =>
      typeof item === 'bigint' ? item.toString() : item,
    ) ?? String(value)
  );
}

/** Decodes revert bytes against `abi`, OpenZeppelin's errors, `Error(string)` and `Panic(uint256)`. */
export function decodeRevert(data: Hex | undefined, abi: Abi): RevertReason {
  if (data === undefined || data === '0x') {
    return { errorName: undefined, args: [], summary: 'a revert without a reason', data };
  }
  try {
    const decoded = decodeErrorResult({ abi: [...abi, ...OPENZEPPELIN_ERRORS], data });
    const args = decoded.args ?? [];
    if (decoded.errorName === 'Panic') {
      const code = Number(args[0]);
      return {
        errorName: 'Panic',
        args,
        summary: `Panic(0x${code.toString(16)}: ${PANICS[code] ?? 'unknown panic'})`,
        data,
      };
    }
    const inputs = (decoded.abiItem as Extract<Abi[number], { type: 'error' }>).inputs;
    const parts = args.map((arg, index) => {
      const label = inputs[index]?.name;
      return label ? `${label}: ${formatValue(arg)}` : formatValue(arg);
    });
    return {
      errorName: decoded.errorName,
      args,
      summary: `${decoded.errorName}(${parts.join(', ')})`,
      data,
    };
  } catch {
    return {
      errorName: undefined,
      args: [],
      summary: `an unknown error (selector ${data.slice(0, 10)})`,
      data,
    };
  }
}

const UNREACHABLE =
  /HttpRequestError|TimeoutError|SocketClosedError|WebSocketRequestError|ChainUnavailableError/;

export function classifyCallFailure(error: unknown, abi: Abi): CallFailure {
  const links = chainOf(error);
  for (const link of links) {
    const data = revertData(link);
    const text = `${String(link.message ?? '')} ${String(link.details ?? '')}`;
    if (
      (link.code === JSON_RPC_CODES.executionReverted && data !== undefined) ||
      (data !== undefined && /revert/i.test(text))
    ) {
      return { kind: 'reverted', reason: decodeRevert(data, abi) };
    }
  }
  if (
    links.some((link) =>
      /execution reverted|reverted/i.test(String(link.details ?? link.message ?? '')),
    )
  ) {
    return { kind: 'reverted', reason: decodeRevert(undefined, abi) };
  }
  if (links.some((link) => UNREACHABLE.test(String(link.name ?? '')))) {
    return { kind: 'unreachable', message: String(links[0]?.message ?? error) };
  }
  const innermost = links.at(-1);
  return { kind: 'rejected', message: String(innermost?.details ?? innermost?.message ?? error) };
}

/** Rethrows a failed call as the chain error it is. */
export function throwCallFailure(error: unknown, abi: Abi, action: string): never {
  const failure = classifyCallFailure(error, abi);
  if (failure.kind === 'reverted') throw new TransactionRevertedError(failure.reason, action);
  if (failure.kind === 'unreachable')
    throw new ChainUnavailableError(`The chain is not reachable: ${failure.message}`);
  throw new TransactionRejectedError(`${action} was refused by the node: ${failure.message}`);
}
