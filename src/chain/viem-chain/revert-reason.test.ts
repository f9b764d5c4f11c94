import { encodeErrorResult, parseAbi } from 'viem';
import { describe, expect, it } from 'vitest';
import { JsonRpcError } from '../json-rpc-error.ts';
import { classifyCallFailure, decodeRevert } from './revert-reason.ts';

const POOL_ERRORS = parseAbi(['error SlippageExceeded(uint256 amountOut, uint256 minAmountOut)']);

describe('revert reasons', () => {
  it('names custom errors with their arguments, from the ABI or from OpenZeppelin', () => {
    const slippage = encodeErrorResult({
      abi: POOL_ERRORS,
      errorName: 'SlippageExceeded',
      args: [9n, 10n],
    });
    expect(decodeRevert(slippage, POOL_ERRORS).summary).toBe(
      'SlippageExceeded(amountOut: 9, minAmountOut: 10)',
    );
    const allowance = encodeErrorResult({
      abi: parseAbi([
        'error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)',
      ]),
      errorName: 'ERC20InsufficientAllowance',
      args: ['0x000000000000000000000000000000000000dEaD', 0n, 5n],
    });
    const reason = decodeRevert(allowance, []);
    expect(reason.errorName).toBe('ERC20InsufficientAllowance');
    expect(reason.summary).toBe(
      'ERC20InsufficientAllowance(spender: "0x000000000000000000000000000000000000dEaD", allowance: 0, needed: 5)',
    );
  });

  it('reads require messages, panics, empty reverts and unknown selectors', () => {
    const message = encodeErrorResult({
      abi: parseAbi(['error Error(string)']),
      errorName: 'Error',
      args: ['boom'],
    });
    expect(decodeRevert(message, []).summary).toBe('Error(message: "boom")');
    const panic = encodeErrorResult({
      abi: parseAbi(['error Panic(uint256)']),
      errorName: 'Panic',
      args: [0x11n],
    });
    expect(decodeRevert(panic, []).summary).toBe('Panic(0x11: arithmetic overflow or underflow)');
    expect(decodeRevert('0x', []).summary).toBe('a revert without a reason');
    expect(decodeRevert('0x12345678', []).summary).toBe('an unknown error (selector 0x12345678)');
  });

  it('tells reverts from refusals by the node, however deep the revert bytes are wrapped', () => {
    const slippage = encodeErrorResult({
      abi: POOL_ERRORS,
      errorName: 'SlippageExceeded',
      args: [1n, 2n],
    });
    const wrapped = new Error('outer', {
      cause: new Error('middle', { cause: new JsonRpcError(3, 'execution reverted', slippage) }),
    });
    const failure = classifyCallFailure(wrapped, POOL_ERRORS);
    expect(failure.kind === 'reverted' && failure.reason.errorName).toBe('SlippageExceeded');
    const funds = classifyCallFailure(
      new JsonRpcError(-32000, 'insufficient funds for gas * price + value'),
      [],
    );
    expect(funds).toEqual({
      kind: 'rejected',
      message: 'insufficient funds for gas * price + value',
    });
  });
});
