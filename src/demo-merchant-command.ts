/**
 * `concierge demo-merchant`: the demo merchant on its own, for trying a Concierge (or any ACP client)
 * against it. ACP checkout always works (test cards: 4242… pays, 4000…0002 is declined). x402 goods
 * settle only on a chain this process can write to: `CONCIERGE_CHAIN_RPC_URL` with
 * `CONCIERGE_CHAIN_PRIVATE_KEY` (the facilitator's key, which pays gas) and `purchasing.x402Asset`.
 */
import type { Address } from 'viem';
import { createRpcChain } from './chain/rpc-chain/rpc-chain.ts';
import type { Config } from './config/config-schema.ts';
import { createDemoMerchant } from './service-agents/builtin/purchasing/demo-merchant/demo-merchant.ts';

export async function runDemoMerchant(
  config: Config,
  options: { host: string; port: number; testControls: boolean },
): Promise<void> {
  const asset = config.purchasing.x402Asset;
  const chain =
    config.chainRpcUrl && config.chainPrivateKey && asset
      ? createRpcChain({ url: config.chainRpcUrl, privateKey: config.chainPrivateKey })
      : undefined;
  const merchant = createDemoMerchant({
    testControls: options.testControls,
    ...(chain && asset
      ? {
          settlement: async () => ({
            chain,
            asset: { ...asset, address: asset.address as Address },
            payTo: await chain.signerAddress(),
          }),
        }
      : {}),
  });
  const url = await merchant.listen({ host: options.host, port: options.port });
  console.log(`demo merchant "${merchant.id}" listening on ${url}`);
  console.log(
    `  ACP checkout: ${url}/checkout_sessions, PSP: ${url}/agentic_commerce/delegate_payment, catalog: ${url}/catalog/search?q=paper`,
  );
  console.log(
    chain
      ? `  x402 goods: ${url}/x402/goods/<id>, settled on ${config.chainRpcUrl}`
      : '  x402 goods: off (set CONCIERGE_CHAIN_RPC_URL, CONCIERGE_CHAIN_PRIVATE_KEY and purchasing.x402Asset to settle them)',
  );
  if (options.testControls) console.log(`  test controls: POST ${url}/_demo/controls`);
  console.log(
    `Allowlist it in concierge.config.json: {"purchasing": {"merchants": [{"id": "${merchant.id}", "baseUrl": "${url}"}], "card": {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030"}}}`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await merchant.close();
  await chain?.close();
}
