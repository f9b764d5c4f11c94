/**
 * The x402 rail for real: the dev chain (EDR) with the demo market's Test USD (ERC-3009), the demo
 * merchant on loopback settling through an in-process x402 facilitator, balances read on chain.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedArtifactsDirectory, temporaryDataDir } from '../../../../../test/helpers/chain.ts';
import type { Chain } from '../../../../chain/chain.ts';
import { createSolcCompiler } from '../../../../chain/compiler/solc-compiler.ts';
import {
  createDemoMarket,
  DEMO_TOKEN_EIP712_VERSION,
} from '../../../../chain/contracts/demo-market.ts';
import { createDevChain } from '../../../../chain/dev-chain/dev-chain.ts';
import { lookupProduct } from '../catalog-search.ts';
import { createDemoMerchant, type DemoMerchant } from '../demo-merchant/demo-merchant.ts';
import { merchantFromConfig, type Merchant } from '../merchant-directory.ts';
import type { PaymentRail, Quote } from '../payment-rail.ts';
import { DEMO_MERCHANT_PAY_TO } from '../purchasing-setup.ts';
import { createX402Rail, type X402Asset } from './x402-rail.ts';

const signal = new AbortController().signal;

describe('x402 rail on the dev chain against the demo merchant', () => {
  const dataDir = temporaryDataDir();
  const compiler = createSolcCompiler();
  let chain: Chain;
  let asset: X402Asset;
  let shop: DemoMerchant;
  let merchant: Merchant;
  let rail: PaymentRail;
  const balance = (owner: `0x${string}`) => chain.tokenBalance(asset.address, owner);

  beforeAll(async () => {
    chain = createDevChain({ dataDir: dataDir.path });
    const market = await createDemoMarket({
      chain,
      compiler,
      directory: join(dataDir.path, 'chain'),
      artifactsDirectory: sharedArtifactsDirectory,
    }).ensure();
    const usd = market.tokens[0]!;
    asset = {
      address: usd.address,
      name: usd.name,
      version: DEMO_TOKEN_EIP712_VERSION,
      decimals: usd.decimals,
    };
    shop = createDemoMerchant({
      settlement: async () => ({ chain, asset, payTo: DEMO_MERCHANT_PAY_TO }),
    });
    merchant = merchantFromConfig({ id: shop.id, baseUrl: await shop.listen() });
    rail = createX402Rail({ chain, asset: async () => asset, timeoutMilliseconds: 5_000 });
  }, 120_000);
  afterAll(async () => {
    await shop.close();
    await chain.close();
    await compiler.close();
    dataDir.remove();
  });

  async function quote(productId: string): Promise<Quote> {
    const found = await lookupProduct(merchant, productId, { timeoutMilliseconds: 2_000, signal });
    if (found.status !== 'found') throw new Error(found.message);
    const quoted = await rail.quote({ merchant, product: found.product, quantity: 1 }, signal);
    if (quoted.status !== 'quoted') throw new Error(quoted.message);
    return quoted.quote;
  }

  it('quotes from the 402 answer, pays by signature, settles on chain, and a retry under the same key pays nothing more', async () => {
    const payer = await chain.signerAddress();
    const [payerBefore, merchantBefore] = [
      await balance(payer),
      await balance(DEMO_MERCHANT_PAY_TO),
    ];
    const quoted = await quote('ebook-productivity');
    expect(quoted.totalAmount).toBe(400);
    expect(await balance(payer)).toBe(payerBefore);

    const paid = await rail.pay(
      quoted,
      { idempotencyKey: 'prop_x402_1', approvedTotal: 400, expiresAt: quoted.expiresAt },
      signal,
    );
    expect(paid).toMatchObject({
      status: 'paid',
      alreadyPaid: false,
      receipt: {
        rail: 'x402',
        totalAmount: 400,
        payment: { success: true, network: 'eip155:31337' },
      },
    });
    if (paid.status !== 'paid') throw new Error(`not paid: ${paid.status}`);
    const receipt = paid.receipt as typeof paid.receipt & { payment: { transaction: string } };
    expect(receipt.payment.transaction).toMatch(/^0x[0-9a-f]{64}$/);
    expect(receipt.delivered).toContain('license_key');
    expect(await balance(DEMO_MERCHANT_PAY_TO)).toBe(merchantBefore + 4_000_000n);
    expect(await balance(payer)).toBe(payerBefore - 4_000_000n);

    const again = await rail.pay(
      quoted,
      { idempotencyKey: 'prop_x402_1', approvedTotal: 400, expiresAt: quoted.expiresAt },
      signal,
    );
    expect(again).toMatchObject({
      status: 'paid',
      alreadyPaid: true,
      receipt: { payment: { transaction: receipt.payment.transaction } },
    });
    expect(await balance(DEMO_MERCHANT_PAY_TO)).toBe(merchantBefore + 4_000_000n);
  });

  it('signs nothing when the price rose above the approved amount, and returns the new terms', async () => {
    const merchantBefore = await balance(DEMO_MERCHANT_PAY_TO);
    const quoted = await quote('api-credits-1000');
    shop.catalog.setPrice('api-credits-1000', 250);
    const changed = await rail.pay(
      quoted,
      {
        idempotencyKey: 'prop_x402_2',
        approvedTotal: quoted.totalAmount,
        expiresAt: quoted.expiresAt,
      },
      signal,
    );
    expect(changed).toMatchObject({ status: 'price_changed', quote: { totalAmount: 250 } });
    expect(await balance(DEMO_MERCHANT_PAY_TO)).toBe(merchantBefore);
    shop.catalog.setPrice('api-credits-1000', 100);
  });

  it('pays nothing and says so when the merchant is down', async () => {
    const merchantBefore = await balance(DEMO_MERCHANT_PAY_TO);
    const quoted = await quote('stock-photo-license');
    shop.controls.down = true;
    const result = await rail.pay(
      quoted,
      {
        idempotencyKey: 'prop_x402_3',
        approvedTotal: quoted.totalAmount,
        expiresAt: quoted.expiresAt,
      },
      signal,
    );
    shop.controls.down = false;
    expect(result).toMatchObject({
      status: 'failed',
      reason: 'merchant_unavailable',
      mayHaveCharged: false,
    });
    expect(await balance(DEMO_MERCHANT_PAY_TO)).toBe(merchantBefore);
  });
});
