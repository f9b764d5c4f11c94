import { join } from 'node:path';
import { erc20Abi, formatUnits, parseUnits, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentContext, approve } from '../../../../test/helpers/agent-context.ts';
import { sharedArtifactsDirectory, temporaryDataDir } from '../../../../test/helpers/chain.ts';
import { createSolcCompiler } from '../../../chain/compiler/solc-compiler.ts';
import { createDemoMarket, type DemoMarket } from '../../../chain/contracts/demo-market.ts';
import { createDevChain } from '../../../chain/dev-chain/dev-chain.ts';
import { DEV_WALLET } from '../../../chain/dev-chain/dev-wallet.ts';
import { createDevPoolVenue } from '../../../chain/swap/dev-pool-venue.ts';
import type { AgentStepResult, ApprovedProposal } from '../../builtin-agent.ts';
import { chainFailure } from '../chain-failure.ts';
import { createFileExecutionLedger } from '../execution-ledger.ts';
import { createSwapAgent } from './swap-agent.ts';
import { createVenueUsdPrices } from './venue-usd-prices.ts';

function failedWith(result: AgentStepResult, status: string): string {
  if (result.kind !== 'failed') throw new Error(`expected a failure, got ${result.kind}`);
  expect(result.data?.status).toBe(status);
  return result.output;
}

describe('swap service agent', () => {
  const dataDir = temporaryDataDir();
  const compiler = createSolcCompiler();
  const chain = createDevChain({ dataDir: dataDir.path });
  const deployer = createDemoMarket({
    chain,
    compiler,
    directory: join(dataDir.path, 'chain'),
    artifactsDirectory: sharedArtifactsDirectory,
  });
  const venue = createDevPoolVenue({ chain, market: () => deployer.ensure() });
  const prices = createVenueUsdPrices({ venue, stablecoins: ['TUSD'] });
  const agent = createSwapAgent({
    chain,
    venue,
    prices,
    ledger: createFileExecutionLedger(join(dataDir.path, 'executions')),
  });
  const nonce = async () =>
    (await chain.client()).getTransactionCount({ address: DEV_WALLET.address });
  const balance = (token: Address) => chain.tokenBalance(token, DEV_WALLET.address);
  let market: DemoMarket;
  let usd: Address;
  let weth: Address;

  beforeAll(async () => {
    market = await deployer.ensure();
    [usd, weth] = market.tokens.map((token) => token.address) as [Address, Address];
  });
  afterAll(async () => {
    await chain.close();
    await compiler.close();
    dataDir.remove();
  });

  async function proposed(input: Record<string, unknown>): Promise<ApprovedProposal> {
    return approve(await agent.prepare(input, agentContext()));
  }

  it('quotes into a proposal a person can judge, sending nothing', async () => {
    const before = await nonce();
    const approved = await proposed({ token_in: 'tusd', token_out: 'WETH', amount_in: '1000' });
    const quote = await venue.quote(usd, weth, parseUnits('1000', 6));
    if (quote.status !== 'quoted') throw new Error(quote.message);
    const { draft } = approved;
    expect(draft).toMatchObject({
      kind: 'swap',
      asset: 'TUSD',
      valueUsd: 1000,
      slippageBps: 50,
      contract: market.pool.address,
    });
    expect(draft.details).toMatchObject({
      venue: 'dev-pool',
      chain_id: 31337,
      amount_in: '1000',
      amount_out: formatUnits(quote.quote.amountOut, 18),
      min_amount_out: formatUnits((quote.quote.amountOut * 9950n + 9999n) / 10_000n, 18),
      price_impact_bps: quote.quote.priceImpactBps,
      fee_bps: 30,
      route: [{ pool: market.pool.address, tokenIn: usd, tokenOut: weth, feeBps: 30 }],
    });
    expect(draft.expiresAt - (draft.details.quoted_at as number)).toBe(60);
    expect(draft.summary).toMatch(
      /^Swap 1000 TUSD \(≈ \$1000\.00\) for about 0\.49\d+ WETH, at least 0\.49\d+ WETH, on dev-pool \(chain 31337\); price impact 0\.\d\d%, fee 0\.30%\.$/,
    );
    expect(await nonce()).toBe(before);
  });

  it('values WETH at the pool’s mid price', async () => {
    const approved = await proposed({ token_in: 'WETH', token_out: 'TUSD', amount_in: '2' });
    const [reserveUsd, reserveWeth] = (await chain.read({
      address: market.pool.address,
      abi: market.poolAbi,
      functionName: 'getReserves',
    })) as [bigint, bigint];
    const midPrice = Number(formatUnits(reserveUsd, 6)) / Number(formatUnits(reserveWeth, 18));
    expect(approved.draft.asset).toBe('WETH');
    expect(approved.draft.valueUsd / (2 * midPrice)).toBeCloseTo(1, 3);
  });

  it('swaps once approved: exact approval, on-chain minimum, balances verified and reported', async () => {
    const approved = await proposed({
      token_in: 'TUSD',
      token_out: 'WETH',
      amount_in: '250.5',
      max_slippage_bps: 100,
    });
    const [usdBefore, wethBefore] = [await balance(usd), await balance(weth)];
    const result = await agent.execute(approved, agentContext());
    expect(result.kind).toBe('answer');
    if (result.kind !== 'answer') return;
    const data = result.data as Record<string, any>;
    expect(data.min_amount_out).toBe(approved.draft.details.min_amount_out);
    expect(await balance(usd)).toBe(usdBefore - parseUnits('250.5', 6));
    expect(await balance(weth)).toBe(wethBefore + parseUnits(data.amount_out, 18));
    expect(data.balances).toEqual({
      token_in_before: formatUnits(usdBefore, 6),
      token_in_after: formatUnits(usdBefore - parseUnits('250.5', 6), 6),
      token_out_before: formatUnits(wethBefore, 18),
      token_out_after: formatUnits(await balance(weth), 18),
    });
    expect(
      await chain.read({
        address: usd,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [DEV_WALLET.address, market.pool.address],
      }),
    ).toBe(0n);
    expect(result.output).toContain(`Swapped 250.5 TUSD for ${data.amount_out} WETH`);
    expect(result.output).toContain(
      `Approval of exactly 250.5 TUSD: transaction ${data.approve_transaction_hash}`,
    );

    const sent = await nonce();
    expect(await agent.execute(approved, agentContext())).toEqual(result);
    expect(await nonce()).toBe(sent);
  });

  it('returns bad requests to the model in words it can act on', async () => {
    expect(
      failedWith(
        await agent.prepare(
          { token_in: 'DOGE', token_out: 'WETH', amount_in: '1' },
          agentContext(),
        ),
        'unknown_token',
      ),
    ).toMatch(
      /^Unknown token "DOGE" \(token_in\)\. The dev-pool venue trades: TUSD \(Test USD, 0x[0-9a-fA-F]{40}\), WETH \(Wrapped Test Ether, 0x[0-9a-fA-F]{40}\)\.$/,
    );
    expect(
      failedWith(
        await agent.prepare({ token_in: 'WETH', token_out: weth, amount_in: '1' }, agentContext()),
        'same_token',
      ),
    ).toContain('both WETH');
    expect(
      failedWith(
        await agent.prepare(
          { token_in: 'TUSD', token_out: 'WETH', amount_in: '1.1234567' },
          agentContext(),
        ),
        'invalid_amount',
      ),
    ).toContain('TUSD has 6 decimals, and 1.1234567 has 7');
    expect(
      failedWith(
        await agent.prepare(
          { token_in: 'TUSD', token_out: 'WETH', amount_in: '0.000' },
          agentContext(),
        ),
        'invalid_amount',
      ),
    ).toContain('above zero');
    expect(
      failedWith(
        await agent.prepare({ token_in: 'TUSD', token_out: 'WETH', amount_in: 5 }, agentContext()),
        'invalid_input',
      ),
    ).toContain('amount_in:');
    expect(
      failedWith(
        await agent.prepare(
          { token_in: 'TUSD', token_out: 'WETH', amount_in: '1', max_slippage_bps: 20_000 },
          agentContext(),
        ),
        'invalid_input',
      ),
    ).toContain('max_slippage_bps');
  });

  it('refuses more than the wallet holds before quoting, and again at execution if the balance fell meanwhile', async () => {
    const before = await nonce();
    const held = await balance(usd);
    const tooMuch = failedWith(
      await agent.prepare(
        { token_in: 'TUSD', token_out: 'WETH', amount_in: formatUnits(held + 1n, 6) },
        agentContext(),
      ),
      'insufficient_balance',
    );
    expect(tooMuch).toBe(
      `Not swapped: the wallet holds ${formatUnits(held, 6)} TUSD, and the swap needs ${formatUnits(held + 1n, 6)} TUSD. No tokens moved.`,
    );
    expect(await nonce()).toBe(before);

    const approved = await proposed({ token_in: 'TUSD', token_out: 'WETH', amount_in: '5000' });
    const stranger = privateKeyToAddress(generatePrivateKey());
    await chain.send({
      kind: 'call',
      address: usd,
      abi: erc20Abi,
      functionName: 'transfer',
      args: [stranger, held - parseUnits('10', 6)],
    });
    const wethBefore = await balance(weth);
    expect(
      failedWith(await agent.execute(approved, agentContext()), 'insufficient_balance'),
    ).toContain('the wallet holds 10 TUSD, and the swap needs 5000 TUSD');
    expect(await balance(weth)).toBe(wethBefore);
    // Put the balance back for the tests that follow (the dev wallet owns the demo tokens).
    await chain.send({
      kind: 'call',
      address: usd,
      abi: market.tokenAbi,
      functionName: 'mint',
      args: [DEV_WALLET.address, held],
    });
  });

  it('refuses a swap the market moved past the accepted slippage, sending nothing', async () => {
    const approved = await proposed({
      token_in: 'TUSD',
      token_out: 'WETH',
      amount_in: '1000',
      max_slippage_bps: 10,
    });
    const mover = await proposed({
      token_in: 'TUSD',
      token_out: 'WETH',
      amount_in: '20000',
      max_slippage_bps: 100,
    });
    expect((await agent.execute(mover, agentContext())).kind).toBe('answer');
    const before = await nonce();
    const output = failedWith(await agent.execute(approved, agentContext()), 'slippage_exceeded');
    expect(output).toMatch(
      /^Not swapped: the price moved\. The pool would now give 0\.4\d+ WETH, below the accepted minimum of 0\.4\d+ WETH\./,
    );
    expect(await nonce()).toBe(before);
  });

  it('refuses a quote that expired before the swap ran', async () => {
    const approved = await proposed({ token_in: 'TUSD', token_out: 'WETH', amount_in: '10' });
    // The framework never executes an expired proposal; the venue checks again, in case the clock passed expiry in between.
    const state = approved.draft.state as { quote: { expiresAt: number } };
    state.quote.expiresAt = Math.floor(Date.now() / 1000) - 1;
    const before = await nonce();
    expect(failedWith(await agent.execute(approved, agentContext()), 'expired')).toMatch(
      /^Not swapped: the quote expired at \d{4}-\d\d-\d\dT.*Z\. No tokens moved; ask for a new quote\.$/,
    );
    expect(await nonce()).toBe(before);
  });

  it('reports a transaction the chain refuses in simulation as a failure, with the decoded reason', async () => {
    const before = await nonce();
    const error = await chain
      .send({
        kind: 'call',
        address: weth,
        abi: erc20Abi,
        functionName: 'transfer',
        args: [market.pool.address, parseUnits('1000000', 18)],
      })
      .catch((caught: unknown) => caught);
    const failure = chainFailure(error);
    expect(failure?.data).toMatchObject({
      status: 'simulation_reverted',
      error_name: 'ERC20InsufficientBalance',
      sent: false,
    });
    expect(failure?.output).toMatch(
      /^The chain refused it in simulation: .* would revert with ERC20InsufficientBalance\(.*\); nothing was sent\.$/,
    );
    expect(await nonce()).toBe(before);
  });

  it('reports no liquidity for an amount too small to buy anything, and for a drained pool', async () => {
    expect(
      failedWith(
        await agent.prepare(
          { token_in: 'WETH', token_out: 'TUSD', amount_in: '0.000000000000000001' },
          agentContext(),
        ),
        'no_liquidity',
      ),
    ).toContain('too few to buy anything');
    const shares = (await chain.read({
      address: market.pool.address,
      abi: market.poolAbi,
      functionName: 'sharesOf',
      args: [DEV_WALLET.address],
    })) as bigint;
    await chain.send({
      kind: 'call',
      address: market.pool.address,
      abi: market.poolAbi,
      functionName: 'removeLiquidity',
      args: [shares],
    });
    expect(
      failedWith(
        await agent.prepare(
          { token_in: 'TUSD', token_out: 'WETH', amount_in: '1' },
          agentContext(),
        ),
        'no_liquidity',
      ),
    ).toBe('Not swapped: The dev-pool pool for this pair holds no liquidity. No tokens moved.');
  });
});
