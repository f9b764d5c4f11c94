/**
 * The `swap` built-in: quote → proposal (amount out, minimum out, price impact, fee, route, dollar
 * value) → policy and approval → the venue executes (exact approval, on-chain minimum and deadline,
 * balances verified). Every way a swap cannot happen (unknown token or pair, no liquidity, too little
 * balance, price moved past the slippage, quote expired, simulation reverted) is a `failed` result in
 * words the model can relay, with token symbols and whole-token amounts rather than base units.
 */
import { formatUnits, parseUnits, type Address } from 'viem';
import { z } from 'zod';
import type { Chain } from '../../../chain/chain.ts';
import type { SwapOutcome, SwapQuote, SwapToken, SwapVenue } from '../../../chain/swap-venue.ts';
import { InvalidRequestError } from '../../../domain/errors.ts';
import type {
  AgentContext,
  AgentStepResult,
  ApprovedProposal,
  BuiltinServiceAgent,
} from '../../builtin-agent.ts';
import { chainFailure } from '../chain-failure.ts';
import { describeInputIssues } from '../describe-input-issues.ts';
import type { ExecutionLedger } from '../execution-ledger.ts';
import { usdValue } from '../usd-value.ts';
import { SWAP_AGENT_DESCRIPTION, SwapInputSchema, swapInputJsonSchema } from './swap-input.ts';
import { quoteToState, SwapQuoteStateSchema } from './swap-quote-state.ts';
import { minimumOutput } from './minimum-output.ts';
import { roundedUnits } from './rounded-units.ts';
import type { UsdPrices } from './venue-usd-prices.ts';

export interface SwapAgentOptions {
  chain: Chain;
  venue: SwapVenue;
  prices: UsdPrices;
  /** Keeps a swap from happening twice for one proposal. */
  ledger: ExecutionLedger;
}

const TokenSchema = z.object({
  address: z.string(),
  name: z.string(),
  symbol: z.string(),
  decimals: z.number().int(),
});

/** What `execute` needs, kept with the action and never shown to the model. */
const SwapStateSchema = z.object({
  quote: SwapQuoteStateSchema,
  maxSlippageBps: z.number().int(),
  tokenIn: TokenSchema,
  tokenOut: TokenSchema,
});

function failed(output: string, data: Record<string, unknown>): AgentStepResult {
  return { kind: 'failed', output, data };
}

/** `amount` base units as whole tokens with the symbol, e.g. `0.0497 WETH`. */
function units(amount: bigint, token: SwapToken): string {
  return `${formatUnits(amount, token.decimals)} ${token.symbol}`;
}

function resolveToken(tokens: SwapToken[], wanted: string): SwapToken | undefined {
  const key = wanted.trim().toLowerCase();
  return tokens.find(
    (token) => token.symbol.toLowerCase() === key || token.address.toLowerCase() === key,
  );
}

/** The input amount in base units, or why it is not a valid amount of this token. */
function parseAmount(text: string, token: SwapToken): bigint | string {
  const fraction = text.split('.')[1] ?? '';
  if (fraction.length > token.decimals)
    return `${token.symbol} has ${token.decimals} decimals, and ${text} has ${fraction.length}.`;
  const amount = parseUnits(text, token.decimals);
  return amount > 0n ? amount : 'amount_in must be above zero.';
}

function refusal(
  outcome: Exclude<SwapOutcome, { status: 'completed' }>,
  tokenIn: SwapToken,
  tokenOut: SwapToken,
): AgentStepResult {
  switch (outcome.status) {
    case 'insufficient_balance':
      return failed(
        `Not swapped: the wallet holds ${units(outcome.balance, tokenIn)}, and the swap needs ${units(outcome.required, tokenIn)}. No tokens moved.`,
        {
          status: outcome.status,
          balance: formatUnits(outcome.balance, tokenIn.decimals),
          required: formatUnits(outcome.required, tokenIn.decimals),
        },
      );
    case 'slippage_exceeded':
      return failed(
        `Not swapped: the price moved. The pool would now give ${units(outcome.amountOut, tokenOut)}, below the accepted minimum of ${units(outcome.minAmountOut, tokenOut)}. No tokens moved; ask for a new quote or accept more slippage.`,
        {
          status: outcome.status,
          amount_out: formatUnits(outcome.amountOut, tokenOut.decimals),
          min_amount_out: formatUnits(outcome.minAmountOut, tokenOut.decimals),
        },
      );
    case 'expired':
      return failed(
        `Not swapped: the quote expired at ${new Date(outcome.expiredAt * 1000).toISOString()}. No tokens moved; ask for a new quote.`,
        {
          status: outcome.status,
          expired_at: outcome.expiredAt,
        },
      );
    case 'no_liquidity':
    case 'unknown_pair':
      return failed(`Not swapped: ${outcome.message} No tokens moved.`, { status: outcome.status });
  }
}

/** Runs `work`, reporting chain failures and requests the venue refused as invalid as `failed` results. */
async function reportingFailures(work: () => Promise<AgentStepResult>): Promise<AgentStepResult> {
  try {
    return await work();
  } catch (error) {
    const failure = chainFailure(error);
    if (failure) return failure;
    if (error instanceof InvalidRequestError)
      return failed(`Not swapped: ${error.message}`, {
        status: 'invalid_request',
        param: error.param,
      });
    throw error;
  }
}

export function createSwapAgent({
  chain,
  venue,
  prices,
  ledger,
}: SwapAgentOptions): BuiltinServiceAgent {
  async function propose(
    input: z.infer<typeof SwapInputSchema>,
    context: AgentContext,
  ): Promise<AgentStepResult> {
    const tokens = await venue.tokens();
    const traded = tokens
      .map((token) => `${token.symbol} (${token.name}, ${token.address})`)
      .join(', ');
    const unknown = (field: string, wanted: string) =>
      failed(
        `Unknown token ${JSON.stringify(wanted)} (${field}). The ${venue.name} venue trades: ${traded}.`,
        { status: 'unknown_token', param: field },
      );
    const tokenIn = resolveToken(tokens, input.token_in);
    if (!tokenIn) return unknown('token_in', input.token_in);
    const tokenOut = resolveToken(tokens, input.token_out);
    if (!tokenOut) return unknown('token_out', input.token_out);
    if (tokenIn.address === tokenOut.address)
      return failed(
        `token_in and token_out are both ${tokenIn.symbol}; pick two different tokens.`,
        { status: 'same_token' },
      );
    const amountIn = parseAmount(input.amount_in, tokenIn);
    if (typeof amountIn === 'string')
      return failed(`Invalid amount_in: ${amountIn}`, {
        status: 'invalid_amount',
        param: 'amount_in',
      });

    const payer = await chain.signerAddress();
    const balance = await chain.tokenBalance(tokenIn.address, payer);
    if (balance < amountIn)
      return refusal(
        { status: 'insufficient_balance', message: '', balance, required: amountIn },
        tokenIn,
        tokenOut,
      );

    context.progress(`Quoting ${units(amountIn, tokenIn)} → ${tokenOut.symbol} on ${venue.name}…`);
    const outcome = await venue.quote(tokenIn.address, tokenOut.address, amountIn);
    if (outcome.status !== 'quoted') return refusal(outcome, tokenIn, tokenOut);
    const quote = outcome.quote;
    const price = await prices.usdPrice(tokenIn);
    if (price === undefined) {
      return failed(
        `Not swapped: ${tokenIn.symbol} has no dollar price here, so the spending policy cannot be applied. No tokens moved.`,
        { status: 'unpriced' },
      );
    }
    const minAmountOut = minimumOutput(quote.amountOut, input.max_slippage_bps);
    const valueUsd = usdValue(amountIn, tokenIn.decimals, price);
    return {
      kind: 'proposal',
      proposal: {
        kind: 'swap',
        summary: `Swap ${units(amountIn, tokenIn)} (≈ $${valueUsd.toFixed(2)}) for about ${roundedUnits(quote.amountOut, tokenOut.decimals, 'nearest')} ${tokenOut.symbol}, at least ${roundedUnits(minAmountOut, tokenOut.decimals, 'down')} ${tokenOut.symbol}, on ${venue.name} (chain ${quote.chainId}); price impact ${(quote.priceImpactBps / 100).toFixed(2)}%, fee ${(quote.feeBps / 100).toFixed(2)}%.`,
        valueUsd,
        asset: tokenIn.symbol,
        contract: quote.route[0]?.pool,
        slippageBps: input.max_slippage_bps,
        expiresAt: quote.expiresAt,
        details: {
          venue: quote.venue,
          chain_id: quote.chainId,
          payer,
          token_in: tokenIn,
          token_out: tokenOut,
          amount_in: formatUnits(amountIn, tokenIn.decimals),
          amount_out: formatUnits(quote.amountOut, tokenOut.decimals),
          min_amount_out: formatUnits(minAmountOut, tokenOut.decimals),
          max_slippage_bps: input.max_slippage_bps,
          price_impact_bps: quote.priceImpactBps,
          fee_bps: quote.feeBps,
          route: quote.route,
          token_in_price_usd: price,
          quoted_at: quote.quotedAt,
          expires_at: quote.expiresAt,
        },
        state: {
          quote: quoteToState(quote),
          maxSlippageBps: input.max_slippage_bps,
          tokenIn,
          tokenOut,
        },
      },
    };
  }

  async function swap(
    quote: SwapQuote,
    maxSlippageBps: number,
    tokenIn: SwapToken,
    tokenOut: SwapToken,
    context: AgentContext,
  ): Promise<AgentStepResult> {
    if (context.signal.aborted)
      return failed('The run was cancelled before the swap was sent; no tokens moved.', {
        status: 'cancelled',
      });
    context.progress(`Swapping ${units(quote.amountIn, tokenIn)} for ${tokenOut.symbol}…`);
    const outcome = await venue.execute(quote, { maxSlippageBps });
    if (outcome.status !== 'completed') return refusal(outcome, tokenIn, tokenOut);
    const { balances } = outcome;
    return {
      kind: 'answer',
      output: [
        `Swapped ${units(outcome.amountIn, tokenIn)} for ${units(outcome.amountOut, tokenOut)} (minimum accepted ${units(outcome.minAmountOut, tokenOut)}) on ${venue.name}, chain ${outcome.chainId}.`,
        `Approval of exactly ${units(outcome.amountIn, tokenIn)}: transaction ${outcome.approveTransactionHash}. Swap: transaction ${outcome.swapTransactionHash}.`,
        `Balances: ${tokenIn.symbol} ${formatUnits(balances.tokenInBefore, tokenIn.decimals)} → ${formatUnits(balances.tokenInAfter, tokenIn.decimals)} (${outcome.payer}); ${tokenOut.symbol} ${formatUnits(balances.tokenOutBefore, tokenOut.decimals)} → ${formatUnits(balances.tokenOutAfter, tokenOut.decimals)} (${outcome.recipient}).`,
      ].join('\n'),
      data: {
        status: 'completed',
        chain_id: outcome.chainId,
        token_in: tokenIn.symbol,
        token_out: tokenOut.symbol,
        amount_in: formatUnits(outcome.amountIn, tokenIn.decimals),
        amount_out: formatUnits(outcome.amountOut, tokenOut.decimals),
        min_amount_out: formatUnits(outcome.minAmountOut, tokenOut.decimals),
        payer: outcome.payer,
        recipient: outcome.recipient,
        approve_transaction_hash: outcome.approveTransactionHash,
        swap_transaction_hash: outcome.swapTransactionHash,
        balances: {
          token_in_before: formatUnits(balances.tokenInBefore, tokenIn.decimals),
          token_in_after: formatUnits(balances.tokenInAfter, tokenIn.decimals),
          token_out_before: formatUnits(balances.tokenOutBefore, tokenOut.decimals),
          token_out_after: formatUnits(balances.tokenOutAfter, tokenOut.decimals),
        },
      },
    };
  }

  return {
    builtin: 'swap',
    description: SWAP_AGENT_DESCRIPTION,
    inputSchema: swapInputJsonSchema(),

    async prepare(input, context) {
      const parsed = SwapInputSchema.safeParse(input);
      if (!parsed.success)
        return failed(
          `The swap request is invalid: ${describeInputIssues(parsed.error)}. Fix it and call again.`,
          { status: 'invalid_input' },
        );
      return reportingFailures(() => propose(parsed.data, context));
    },

    async execute(proposal: ApprovedProposal, context) {
      const state = SwapStateSchema.parse(proposal.draft.state);
      const tokenIn = { ...state.tokenIn, address: state.tokenIn.address as Address };
      const tokenOut = { ...state.tokenOut, address: state.tokenOut.address as Address };
      return ledger.once(
        proposal.id,
        () =>
          reportingFailures(() =>
            swap(state.quote, state.maxSlippageBps, tokenIn, tokenOut, context),
          ),
        () =>
          `An earlier attempt at this swap (proposal ${proposal.id}) stopped midway and may already have swapped ${units(state.quote.amountIn, tokenIn)}. It was not repeated: check the wallet's balances and recent transactions before swapping again.`,
      );
    },
  };
}
