/**
 * The `smart_contract` built-in: turns a task ("an ERC-20 called Acme, 1M supply, mintable, pausable")
 * into one of our own templates over @openzeppelin/contracts 5 (a closed set of options), compiles it, and
 * returns source, ABI and bytecode as files. Deploying is an action: `prepare` simulates the creation
 * and proposes it (gas, deployer, chain, cost); only an approved proposal is deployed, and the code is
 * verified on the chain before the address is reported.
 */
import { createHash } from 'node:crypto';
import type { Address } from 'viem';
import { z } from 'zod';
import type { Chain } from '../../../chain/chain.ts';
import type { ContractFactory, GeneratedContract } from '../../../chain/contract-factory.ts';
import { ContractTemplateOptionsSchema } from '../../../chain/contract-template-options.ts';
import { nowSeconds } from '../../../domain/clock.ts';
import type {
  AgentContext,
  AgentStepResult,
  ApprovedProposal,
  BuiltinServiceAgent,
} from '../../builtin-agent.ts';
import { reportingChainFailures } from '../chain-failure.ts';
import { describeInputIssues } from '../describe-input-issues.ts';
import type { ExecutionLedger } from '../execution-ledger.ts';
import { contractFiles } from './contract-files.ts';
import { contractGenerationFailure } from './contract-generation-failure.ts';
import { deploymentCost, describeCost } from './deployment-cost.ts';
import { describeContract } from './describe-contract.ts';
import {
  SMART_CONTRACT_AGENT_DESCRIPTION,
  SmartContractInputSchema,
  smartContractInputJsonSchema,
} from './smart-contract-input.ts';

export interface SmartContractAgentOptions {
  chain: Chain;
  contracts: ContractFactory;
  /** Keeps deployments from happening twice for one proposal. */
  ledger: ExecutionLedger;
  /**
   * Dollars per ether, to value a deployment's gas for the spending policy. Undefined: deployments
   * cannot be valued and are refused (the policy could not hold them to a limit). The dev chain's
   * ether is worthless, so there it is 0.
   */
  ethPriceUsd: number | undefined;
  /** How long a deployment proposal may wait for approval. */
  proposalTtlSeconds?: number;
}

/** What `execute` needs, kept with the action and never shown to the model. */
const DeploymentStateSchema = z.object({
  options: ContractTemplateOptionsSchema,
  owner: z.string().optional(),
  contractName: z.string(),
  sourceSha256: z.string(),
  bytecodeSha256: z.string(),
});
type DeploymentState = z.infer<typeof DeploymentStateSchema>;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function failed(output: string, data?: Record<string, unknown>): AgentStepResult {
  return { kind: 'failed', output, ...(data ? { data } : {}) };
}

function compiledSummary(contract: GeneratedContract): string {
  const functions = contract.abi.flatMap((item) => (item.type === 'function' ? [item.name] : []));
  const warnings =
    contract.warnings.length === 0
      ? 'no compiler warnings'
      : `compiler warnings:\n${contract.warnings.join('\n')}`;
  return [
    `Compiled ${describeContract(contract.contractName, contract.options)} with solc ${contract.compilerVersion}; ${warnings}.`,
    `Files: ${contract.contractName}.sol (source), ${contract.contractName}.abi.json (ABI), ${contract.contractName}.bytecode.txt (creation bytecode).`,
    `Functions: ${[...new Set(functions)].join(', ')}.`,
  ].join('\n');
}

function compiledData(contract: GeneratedContract): Record<string, unknown> {
  return {
    contract_name: contract.contractName,
    options: contract.options,
    compiler_version: contract.compilerVersion,
    warnings: contract.warnings,
    source_sha256: sha256(contract.source),
  };
}

/** Contracts proposed recently, by bytecode hash: an approval that comes back to this process skips the second compile. */
const RECENT_CONTRACTS = 16;

export function createSmartContractAgent({
  chain,
  contracts,
  ledger,
  ethPriceUsd,
  proposalTtlSeconds = 600,
}: SmartContractAgentOptions): BuiltinServiceAgent {
  const recent = new Map<string, GeneratedContract>();

  function remember(contract: GeneratedContract, bytecodeSha256: string): void {
    recent.delete(bytecodeSha256);
    recent.set(bytecodeSha256, contract);
    if (recent.size > RECENT_CONTRACTS) recent.delete(recent.keys().next().value!);
  }

  async function generate(options: unknown): Promise<GeneratedContract | AgentStepResult> {
    try {
      return await contracts.generate(options as Parameters<ContractFactory['generate']>[0]);
    } catch (error) {
      const failure = contractGenerationFailure(error);
      if (failure) return failure;
      throw error;
    }
  }

  async function propose(
    contract: GeneratedContract,
    owner: string | undefined,
    context: AgentContext,
  ): Promise<AgentStepResult> {
    context.progress('Simulating the deployment…');
    const plan = await contracts.planDeployment(
      contract,
      owner === undefined ? {} : { owner: owner as Address },
    );
    const cost = await deploymentCost(chain, plan.gasEstimate, ethPriceUsd);
    if (cost.valueUsd === undefined) {
      return failed(
        'The deployment cannot be valued in US dollars, so the spending policy cannot be applied: the server has no ether price configured (CONCIERGE_CHAIN_ETH_PRICE_USD). Nothing was deployed.',
        { status: 'unpriced' },
      );
    }
    const bytecodeSha256 = sha256(contract.bytecode);
    remember(contract, bytecodeSha256);
    const state: DeploymentState = {
      options: contract.options,
      ...(owner === undefined ? {} : { owner }),
      contractName: contract.contractName,
      sourceSha256: sha256(contract.source),
      bytecodeSha256,
    };
    return {
      kind: 'proposal',
      proposal: {
        kind: 'deployment',
        summary: `Deploy ${describeContract(contract.contractName, contract.options)} to chain ${plan.chainId} from ${plan.deployer}: ${describeCost(cost)}.`,
        valueUsd: cost.valueUsd,
        asset: 'ETH',
        expiresAt: nowSeconds() + proposalTtlSeconds,
        details: {
          chain_id: plan.chainId,
          deployer: plan.deployer,
          owner: plan.owner,
          estimated_gas: plan.gasEstimate.toString(),
          max_fee_per_gas_wei: cost.maxFeePerGas.toString(),
          max_cost_wei: cost.maxCostWei.toString(),
          eth_price_usd: cost.ethPriceUsd,
          ...compiledData(contract),
        },
        state,
      },
    };
  }

  async function deploy(
    proposalId: string,
    state: DeploymentState,
    context: AgentContext,
  ): Promise<AgentStepResult> {
    let contract = recent.get(state.bytecodeSha256);
    if (!contract) {
      context.progress(`Compiling ${state.contractName} again from the approved options…`);
      const generated = await generate(state.options);
      if ('kind' in generated) return generated;
      contract = generated;
    }
    // The templates or compiler changed since the approval: what would be deployed is not what was approved.
    if (sha256(contract.bytecode) !== state.bytecodeSha256)
      return propose(contract, state.owner, context);
    if (context.signal.aborted)
      return failed('The run was cancelled before the deployment was sent; nothing was deployed.', {
        status: 'cancelled',
        sent: false,
      });
    context.progress(`Deploying ${state.contractName}…`);
    const deployed = await contracts.deploy(
      contract,
      state.owner === undefined ? {} : { owner: state.owner as Address },
    );
    const code = await chain.code(deployed.address);
    if (code === undefined)
      return failed(
        `Transaction ${deployed.transactionHash} was mined, but no code is at ${deployed.address}.`,
        { status: 'no_code' },
      );
    return {
      kind: 'answer',
      output: [
        `Deployed ${describeContract(contract.contractName, contract.options)} at ${deployed.address} on chain ${deployed.chainId}.`,
        `Transaction ${deployed.transactionHash} (block ${deployed.blockNumber}, ${deployed.gasUsed.toLocaleString('en-US')} gas used); owner ${deployed.owner}; ${(code.length - 2) / 2} bytes of code verified at the address.`,
        compiledSummary(contract),
      ].join('\n'),
      data: {
        proposal_id: proposalId,
        address: deployed.address,
        transaction_hash: deployed.transactionHash,
        block_number: deployed.blockNumber.toString(),
        gas_used: deployed.gasUsed.toString(),
        chain_id: deployed.chainId,
        deployer: deployed.deployer,
        owner: deployed.owner,
        code_bytes: (code.length - 2) / 2,
        ...compiledData(contract),
      },
      files: contractFiles(contract),
    };
  }

  return {
    builtin: 'smart_contract',
    description: SMART_CONTRACT_AGENT_DESCRIPTION,
    inputSchema: smartContractInputJsonSchema(),

    async prepare(input, context) {
      const parsed = SmartContractInputSchema.safeParse(input);
      if (!parsed.success)
        return failed(
          `The contract options are invalid: ${describeInputIssues(parsed.error)}. Fix them and call again.`,
          { status: 'invalid_options' },
        );
      context.progress('Rendering the template and compiling it with solc…');
      const contract = await generate(parsed.data.contract);
      if ('kind' in contract) return contract;
      if (parsed.data.deploy)
        return reportingChainFailures(() => propose(contract, parsed.data.owner, context));
      return {
        kind: 'answer',
        output: `${compiledSummary(contract)}\nNot deployed: call again with deploy: true to deploy it.`,
        data: compiledData(contract),
        files: contractFiles(contract),
      };
    },

    async execute(proposal: ApprovedProposal, context) {
      const state = DeploymentStateSchema.parse(proposal.draft.state);
      return ledger.once(
        proposal.id,
        () => reportingChainFailures(() => deploy(proposal.id, state, context)),
        () =>
          `An earlier attempt to deploy ${state.contractName} (proposal ${proposal.id}) stopped midway and may already have deployed it. It was not repeated: check the deployer's recent transactions on the chain before deploying again.`,
      );
    },
  };
}
