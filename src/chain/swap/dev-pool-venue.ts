/**
 * The dev chain's swap venue: the demo constant-product pool. `execute` reads the payer's balance and
 * the pool's current price first, so the common refusals cost no transaction; then it approves exactly
 * the input amount, swaps with the minimum output and deadline enforced on-chain (`send` simulates
 * first), and checks that the balances moved by exactly the swapped amounts and no allowance is left.
 * From the balance read to that check it holds the chain's signer, so concurrent swaps run one after
 * another instead of spending each other's allowances.
 */
import { erc20Abi, isAddress, maxUint256, type Address } from 'viem';
import { nowSeconds } from '../../domain/clock.ts';
import { InvalidRequestError } from '../../domain/errors.ts';
import type { Chain } from '../chain.ts';
import { TransactionFailedError, TransactionRevertedError } from '../chain-errors.ts';
import type { DemoMarket } from '../contracts/demo-market.ts';
import type {
  QuoteOutcome,
  SwapExecuteOptions,
  SwapOutcome,
  SwapQuote,
  SwapRefusal,
  SwapVenue,
} from '../swap-venue.ts';
import { minimumOutput, priceImpactBps } from './pool-math.ts';

export interface DevPoolVenueOptions {
  chain: Chain;
  /** The demo market, deployed on first use. */
  market(): Promise<DemoMarket>;
  /** How long a quote stays executable. */
  quoteTtlSeconds?: number;
}

const VENUE = 'dev-pool';

function sameAddress(a: Address, b: Address): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The refusal a swap's simulated revert stands for, or undefined when it is unexpected. */
function refusalOf(error: TransactionRevertedError, minAmountOut: bigint): SwapRefusal | undefined {
  const { errorName, args, summary } = error.reason;
  switch (errorName) {
    case 'SlippageExceeded':
      return {
        status: 'slippage_exceeded',
        message: `The pool would now give less than the accepted minimum: ${summary}.`,
        amountOut: args[0] as bigint,
        minAmountOut,
      };
    case 'Expired':
      return {
        status: 'expired',
        message: `The swap's deadline passed on-chain: ${summary}.`,
        expiredAt: Number(args[0]),
      };
    case 'InsufficientLiquidity':
    case 'InsufficientOutput':
      return { status: 'no_liquidity', message: `The pool cannot fill this swap: ${summary}.` };
    case 'ERC20InsufficientBalance':
      return {
        status: 'insufficient_balance',
        message: `The payer's balance is too low: ${summary}.`,
        balance: args[1] as bigint,
        required: args[2] as bigint,
      };
    default:
      return undefined;
  }
}

export function createDevPoolVenue({
  chain,
  market,
  quoteTtlSeconds = 60,
}: DevPoolVenueOptions): SwapVenue {
  async function poolFor(tokenIn: Address, tokenOut: Address) {
    const current = await market();
    const { token0, token1 } = current.pool;
    const forward = sameAddress(tokenIn, token0) && sameAddress(tokenOut, token1);
    const backward = sameAddress(tokenIn, token1) && sameAddress(tokenOut, token0);
    return forward || backward ? { market: current, zeroForOne: forward } : undefined;
  }

  async function quote(
    tokenIn: Address,
    tokenOut: Address,
    amountIn: bigint,
  ): Promise<QuoteOutcome> {
    if (amountIn <= 0n || amountIn > maxUint256)
      throw new InvalidRequestError(
        'The amount to swap must be a positive integer in base units, below 2^256.',
        'amount_in',
      );
    const found = await poolFor(tokenIn, tokenOut);
    if (!found)
      return {
        status: 'unknown_pair',
        message: `The ${VENUE} venue has no pool for ${tokenIn} → ${tokenOut}.`,
      };
    const { market: current, zeroForOne } = found;
    const [reserve0, reserve1] = (await chain.read({
      address: current.pool.address,
      abi: current.poolAbi,
      functionName: 'getReserves',
    })) as [bigint, bigint];
    const [reserveIn, reserveOut] = zeroForOne ? [reserve0, reserve1] : [reserve1, reserve0];
    if (reserveIn === 0n || reserveOut === 0n)
      return {
        status: 'no_liquidity',
        message: `The ${VENUE} pool for this pair holds no liquidity.`,
      };
    const amountOut = (await chain.read({
      address: current.pool.address,
      abi: current.poolAbi,
      functionName: 'getAmountOut',
      args: [tokenIn, amountIn],
    })) as bigint;
    if (amountOut === 0n)
      return {
        status: 'no_liquidity',
        message: `${amountIn} base units are too few to buy anything from this pool.`,
      };
    const quotedAt = nowSeconds();
    const feeBps = current.pool.feeBps;
    return {
      status: 'quoted',
      quote: {
        venue: VENUE,
        chainId: current.chainId,
        tokenIn,
        tokenOut,
        amountIn,
        amountOut,
        priceImpactBps: priceImpactBps(amountIn, amountOut, reserveIn, reserveOut, feeBps),
        feeBps,
        route: [{ pool: current.pool.address, tokenIn, tokenOut, feeBps }],
        quotedAt,
        expiresAt: quotedAt + quoteTtlSeconds,
      },
    };
  }

  async function execute(quoted: SwapQuote, options: SwapExecuteOptions): Promise<SwapOutcome> {
    if (quoted.venue !== VENUE)
      throw new InvalidRequestError(
        `This quote is from the ${quoted.venue} venue, not ${VENUE}.`,
        'quote',
      );
    if (
      !Number.isInteger(options.maxSlippageBps) ||
      options.maxSlippageBps < 0 ||
      options.maxSlippageBps > 10_000
    ) {
      throw new InvalidRequestError(
        'max_slippage_bps must be an integer from 0 to 10000.',
        'max_slippage_bps',
      );
    }
    if (options.recipient !== undefined && !isAddress(options.recipient, { strict: false })) {
      throw new InvalidRequestError(
        `The recipient ${JSON.stringify(options.recipient)} is not an address.`,
        'recipient',
      );
    }
    if (options.deadline !== undefined && !Number.isSafeInteger(options.deadline)) {
      throw new InvalidRequestError(
        'The deadline must be a whole number of unix seconds.',
        'deadline',
      );
    }
    const now = nowSeconds();
    const deadline = options.deadline ?? quoted.expiresAt;
    if (quoted.expiresAt < now)
      return {
        status: 'expired',
        message: `The quote expired at ${quoted.expiresAt}; ask for a new one.`,
        expiredAt: quoted.expiresAt,
      };
    if (deadline < now)
      return {
        status: 'expired',
        message: `The deadline ${deadline} has already passed.`,
        expiredAt: deadline,
      };
    const found = await poolFor(quoted.tokenIn, quoted.tokenOut);
    if (
      !found ||
      found.market.chainId !== quoted.chainId ||
      !sameAddress(found.market.pool.address, quoted.route[0]?.pool ?? '0x')
    ) {
      return {
        status: 'unknown_pair',
        message: 'The quoted pool is not this venue’s pool on this chain.',
      };
    }
    const pool = found.market.pool.address;
    const poolAbi = found.market.poolAbi;
    const payer = await chain.signerAddress();
    const recipient = options.recipient ?? payer;
    const { tokenIn, tokenOut, amountIn } = quoted;
    const minAmountOut = minimumOutput(quoted.amountOut, options.maxSlippageBps);

    // The signer is held from the balance read to the verification: another send of the same signer
    // (a concurrent swap's approval) landing in between would change the allowance and the balances
    // this swap checks.
    return chain.withSigner(async (send) => {
      const tokenInBefore = await chain.tokenBalance(tokenIn, payer);
      if (tokenInBefore < amountIn) {
        return {
          status: 'insufficient_balance',
          message: `The payer ${payer} holds ${tokenInBefore} base units of ${tokenIn}, and the swap needs ${amountIn}.`,
          balance: tokenInBefore,
          required: amountIn,
        };
      }
      const fresh = await quote(tokenIn, tokenOut, amountIn);
      if (fresh.status !== 'quoted') return fresh;
      if (fresh.quote.amountOut < minAmountOut) {
        return {
          status: 'slippage_exceeded',
          message: `The pool now gives ${fresh.quote.amountOut}, below the accepted minimum ${minAmountOut}; nothing was sent.`,
          amountOut: fresh.quote.amountOut,
          minAmountOut,
        };
      }
      const tokenOutBefore = await chain.tokenBalance(tokenOut, recipient);

      const approval = await send({
        kind: 'call',
        address: tokenIn,
        abi: erc20Abi,
        functionName: 'approve',
        args: [pool, amountIn],
      });
      let swap;
      try {
        swap = await send({
          kind: 'call',
          address: pool,
          abi: poolAbi,
          functionName: 'swap',
          args: [tokenIn, amountIn, minAmountOut, recipient, BigInt(deadline)],
        });
      } catch (error) {
        // Leave no allowance behind for a swap that did not happen.
        await send({
          kind: 'call',
          address: tokenIn,
          abi: erc20Abi,
          functionName: 'approve',
          args: [pool, 0n],
        });
        const refusal =
          error instanceof TransactionRevertedError ? refusalOf(error, minAmountOut) : undefined;
        if (refusal) return refusal;
        throw error;
      }
      const amountOut = swap.result as bigint;
      const tokenInAfter = await chain.tokenBalance(tokenIn, payer);
      const tokenOutAfter = await chain.tokenBalance(tokenOut, recipient);
      const allowance = (await chain.read({
        address: tokenIn,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [payer, pool],
      })) as bigint;
      if (
        tokenInBefore - tokenInAfter !== amountIn ||
        tokenOutAfter - tokenOutBefore !== amountOut ||
        amountOut < minAmountOut ||
        allowance !== 0n
      ) {
        throw new TransactionFailedError(
          `Swap ${swap.hash} was mined, but the balances do not match it: paid ${tokenInBefore - tokenInAfter} of ${amountIn}, received ${tokenOutAfter - tokenOutBefore} of ${amountOut} (minimum ${minAmountOut}), allowance left ${allowance}.`,
          swap.hash,
        );
      }
      return {
        status: 'completed',
        chainId: swap.chainId,
        tokenIn,
        tokenOut,
        amountIn,
        amountOut,
        minAmountOut,
        payer,
        recipient,
        approveTransactionHash: approval.hash,
        swapTransactionHash: swap.hash,
        balances: { tokenInBefore, tokenInAfter, tokenOutBefore, tokenOutAfter },
      };
    });
  }

  return {
    name: VENUE,
    tokens: async () =>
      (await market()).tokens.map(({ address, name, symbol, decimals }) => ({
        address,
        name,
        symbol,
        decimals,
      })),
    quote,
    execute,
  };
}
