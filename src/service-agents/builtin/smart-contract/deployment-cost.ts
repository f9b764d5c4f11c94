/**
 * What a deployment costs in gas, ether and dollars, for the proposal a person approves and the
 * spending policy judges. The fee is the chain's current maximum fee per gas, so the estimate errs high.
 */
import { formatEther } from 'viem';
import type { Chain } from '../../../chain/chain.ts';
import { usdValue } from '../usd-value.ts';

export interface DeploymentCost {
  gasEstimate: bigint;
  maxFeePerGas: bigint;
  /** `gasEstimate × maxFeePerGas`, in wei. */
  maxCostWei: bigint;
  /** The ether price used; undefined when none is configured. */
  ethPriceUsd: number | undefined;
  /** Undefined when no ether price is configured: the deployment cannot be valued. */
  valueUsd: number | undefined;
}

export async function deploymentCost(
  chain: Chain,
  gasEstimate: bigint,
  ethPriceUsd: number | undefined,
): Promise<DeploymentCost> {
  const { maxFeePerGas } = await (await chain.client()).estimateFeesPerGas();
  const maxCostWei = gasEstimate * maxFeePerGas;
  return {
    gasEstimate,
    maxFeePerGas,
    maxCostWei,
    ethPriceUsd,
    valueUsd: ethPriceUsd === undefined ? undefined : usdValue(maxCostWei, 18, ethPriceUsd),
  };
}

/** The cost as a person reads it, e.g. `about 1,234,567 gas, at most 0.0025 ETH ($7.41 at $2,963/ETH)`. */
export function describeCost(cost: DeploymentCost): string {
  const ether = `at most ${formatEther(cost.maxCostWei)} ETH`;
  const dollars =
    cost.valueUsd === undefined
      ? 'not valued in USD'
      : `$${cost.valueUsd.toFixed(2)} at $${cost.ethPriceUsd}/ETH`;
  return `about ${cost.gasEstimate.toLocaleString('en-US')} gas, ${ether} (${dollars})`;
}
