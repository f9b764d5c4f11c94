import { join } from 'node:path';
import { erc20Abi, parseEventLogs, parseUnits, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedArtifactsDirectory, temporaryDataDir } from '../../../test/helpers/chain.ts';
import { TransactionRevertedError } from '../chain-errors.ts';
import { createSolcCompiler } from '../compiler/solc-compiler.ts';
import { createDemoMarket, type DemoMarket } from '../contracts/demo-market.ts';
import { createDevChain } from '../dev-chain/dev-chain.ts';
import { DEV_WALLET } from '../dev-chain/dev-wallet.ts';
import type { SwapQuote } from '../swap-venue.ts';
import { createDevPoolVenue } from './dev-pool-venue.ts';

const now = () => Math.floor(Date.now() / 1000);

describe('dev-pool swap venue', () => {
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
  const nonce = async () =>
    (await chain.client()).getTransactionCount({ address: DEV_WALLET.address });
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

  async function quoted(tokenIn: Address, tokenOut: Address, amountIn: bigint): Promise<SwapQuote> {
    const outcome = await venue.quote(tokenIn, tokenOut, amountIn);
    if (outcome.status !== 'quoted')
      throw new Error(`expected a quote, got ${outcome.status}: ${outcome.message}`);
    return outcome.quote;
  }

  it('lists the demo tokens it trades', async () => {
    expect((await venue.tokens()).map((token) => `${token.symbol}/${token.decimals}`)).toEqual([
      'TUSD/6',
      'WETH/18',
    ]);
  });

  it('quotes by the constant-product formula with the 0.3% fee, its price impact and a one-hop route', async () => {
    const amountIn = parseUnits('2000', 6);
    const quote = await quoted(usd, weth, amountIn);
    const [reserveIn, reserveOut] = [parseUnits('200000', 6), parseUnits('100', 18)];
    const expected = (amountIn * 9970n * reserveOut) / (reserveIn * 10_000n + amountIn * 9970n);
    expect(quote.amountOut).toBe(expected);
    expect(quote.feeBps).toBe(30);
    // Selling 1% of the input reserve (after fee) fills about 0.99% below the mid price.
    expect(quote.priceImpactBps).toBe(99);
    expect(quote.route).toEqual([
      { pool: market.pool.address, tokenIn: usd, tokenOut: weth, feeBps: 30 },
    ]);
    expect(quote.expiresAt - quote.quotedAt).toBe(60);
    expect(quote.chainId).toBe(31337);
  });

  it('swaps: approves exactly the input, enforces the minimum on-chain, and the balances move by exactly the swap', async () => {
    const recipient = privateKeyToAddress(generatePrivateKey());
    const quote = await quoted(usd, weth, parseUnits('1000', 6));
    const outcome = await venue.execute(quote, { recipient, maxSlippageBps: 50 });
    if (outcome.status !== 'completed') throw new Error(`swap refused: ${outcome.message}`);
    expect(outcome.amountOut).toBe(quote.amountOut);
    expect(outcome.minAmountOut).toBe((quote.amountOut * 9950n + 9999n) / 10_000n);
    expect(outcome.balances.tokenInBefore - outcome.balances.tokenInAfter).toBe(
      parseUnits('1000', 6),
    );
    expect(await chain.tokenBalance(weth, recipient)).toBe(quote.amountOut);
    expect(outcome.balances.tokenOutBefore).toBe(0n);
    expect(
      await chain.read({
        address: usd,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [DEV_WALLET.address, market.pool.address],
      }),
    ).toBe(0n);
    const approval = await (
      await chain.client()
    ).getTransactionReceipt({ hash: outcome.approveTransactionHash });
    const [approved] = parseEventLogs({
      abi: erc20Abi,
      eventName: 'Approval',
      logs: approval.logs,
    });
    expect(approved!.args.value).toBe(parseUnits('1000', 6));
    expect(approved!.args.spender).toBe(market.pool.address);
    const swapReceipt = await (
      await chain.client()
    ).getTransactionReceipt({ hash: outcome.swapTransactionHash });
    expect(swapReceipt.status).toBe('success');
  });

  it('rejects invalid arguments as invalid requests', async () => {
    await expect(venue.quote(usd, weth, 0n)).rejects.toThrow(/positive integer in base units/);
    const quote = await quoted(usd, weth, 1_000n);
    await expect(venue.execute(quote, { maxSlippageBps: 10_001 })).rejects.toThrow(
      /max_slippage_bps must be an integer from 0 to 10000/,
    );
    await expect(
      venue.execute(quote, { maxSlippageBps: 50, recipient: 'alice' as Address }),
    ).rejects.toThrow(/is not an address/);
  });

  it('refuses an unknown pair', async () => {
    const stranger = privateKeyToAddress(generatePrivateKey());
    const outcome = await venue.quote(usd, stranger, 1_000_000n);
    expect(outcome).toEqual({
      status: 'unknown_pair',
      message: `The dev-pool venue has no pool for ${usd} → ${stranger}.`,
    });
  });

  it('refuses a swap larger than the balance, sending nothing', async () => {
    const before = await nonce();
    const quote = await quoted(weth, usd, parseUnits('5000', 18));
    const outcome = await venue.execute(quote, { maxSlippageBps: 100 });
    expect(outcome).toMatchObject({
      status: 'insufficient_balance',
      required: parseUnits('5000', 18),
    });
    expect(outcome.status === 'insufficient_balance' && outcome.balance).toBe(
      await chain.tokenBalance(weth, DEV_WALLET.address),
    );
    expect(await nonce()).toBe(before);
  });

  it('refuses a quote the market has moved past the accepted slippage, sending nothing', async () => {
    const stale = await quoted(usd, weth, parseUnits('1000', 6));
    const mover = await venue.execute(await quoted(usd, weth, parseUnits('50000', 6)), {
      maxSlippageBps: 100,
    });
    expect(mover.status).toBe('completed');
    const before = await nonce();
    const outcome = await venue.execute(stale, { maxSlippageBps: 50 });
    expect(outcome.status).toBe('slippage_exceeded');
    if (outcome.status !== 'slippage_exceeded') return;
    expect(outcome.amountOut).toBeLessThan(outcome.minAmountOut);
    expect(outcome.minAmountOut).toBe((stale.amountOut * 9950n + 9999n) / 10_000n);
    expect(await nonce()).toBe(before);
  });

  it('refuses an expired quote and a deadline already past, sending nothing', async () => {
    const before = await nonce();
    const quote = await quoted(usd, weth, parseUnits('10', 6));
    expect(
      await venue.execute({ ...quote, expiresAt: now() - 1 }, { maxSlippageBps: 50 }),
    ).toMatchObject({ status: 'expired' });
    expect(await venue.execute(quote, { maxSlippageBps: 50, deadline: now() - 5 })).toMatchObject({
      status: 'expired',
    });
    expect(await nonce()).toBe(before);
  });

  it('has the pool itself refuse a fill below the minimum or after the deadline, decoded, before anything is sent', async () => {
    const before = await nonce();
    const amountIn = parseUnits('10', 6);
    const quote = await quoted(usd, weth, amountIn);
    const swap = (minimum: bigint, deadline: number) =>
      chain.send({
        kind: 'call',
        address: market.pool.address,
        abi: market.poolAbi,
        functionName: 'swap',
        args: [usd, amountIn, minimum, DEV_WALLET.address, BigInt(deadline)],
      });
    const slippage = await swap(quote.amountOut * 2n, now() + 60).catch(
      (caught: unknown) => caught,
    );
    expect(slippage).toBeInstanceOf(TransactionRevertedError);
    expect((slippage as TransactionRevertedError).reason.errorName).toBe('SlippageExceeded');
    expect((slippage as TransactionRevertedError).reason.args).toEqual([
      quote.amountOut,
      quote.amountOut * 2n,
    ]);
    const expired = await swap(0n, now() - 3600).catch((caught: unknown) => caught);
    expect((expired as TransactionRevertedError).reason.errorName).toBe('Expired');
    expect(await nonce()).toBe(before);
  });

  it('runs concurrent swaps from the shared signer one after another: all complete, balances exact, nonces distinct', async () => {
    const client = await chain.client();
    const amounts = ['100', '200', '300', '400'].map((amount) => parseUnits(amount, 6));
    const recipients = amounts.map(() => privateKeyToAddress(generatePrivateKey()));
    const payerBefore = await chain.tokenBalance(usd, DEV_WALLET.address);
    const firstNonce = await nonce();
    const quotes = await Promise.all(amounts.map((amount) => quoted(usd, weth, amount)));
    const outcomes = await Promise.all(
      quotes.map((quote, index) =>
        venue.execute(quote, { recipient: recipients[index]!, maxSlippageBps: 2_000 }),
      ),
    );
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.status !== 'completed')
        throw new Error(`swap ${index} not completed: ${outcome.status}: ${outcome.message}`);
      expect(outcome.balances.tokenInBefore - outcome.balances.tokenInAfter).toBe(amounts[index]);
      expect(await chain.tokenBalance(weth, recipients[index]!)).toBe(outcome.amountOut);
    }
    const total = amounts.reduce((sum, amount) => sum + amount, 0n);
    expect(await chain.tokenBalance(usd, DEV_WALLET.address)).toBe(payerBefore - total);
    expect(
      await chain.read({
        address: usd,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [DEV_WALLET.address, market.pool.address],
      }),
    ).toBe(0n);
    const hashes = outcomes.flatMap((outcome) =>
      outcome.status === 'completed'
        ? [outcome.approveTransactionHash, outcome.swapTransactionHash]
        : [],
    );
    const nonces = await Promise.all(
      hashes.map(async (hash) => (await client.getTransaction({ hash })).nonce),
    );
    expect(new Set(nonces).size).toBe(8);
    expect([...nonces].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 8 }, (_item, index) => firstNonce + index),
    );
    // Each swap's approval is followed directly by its own swap.
    for (let index = 0; index < nonces.length; index += 2)
      expect(nonces[index + 1]).toBe(nonces[index]! + 1);
  });

  it('reports no liquidity once the pool is drained', async () => {
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
    const outcome = await venue.quote(usd, weth, parseUnits('10', 6));
    expect(outcome).toEqual({
      status: 'no_liquidity',
      message: 'The dev-pool pool for this pair holds no liquidity.',
    });
  });
});
