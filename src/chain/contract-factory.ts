/**
 * The contract factory port, what the smart-contract service agent needs: generate a contract from
 * our templates (render Solidity, compile), then plan and perform its deployment on the chain.
 */
import type { Abi, Address, Hex } from 'viem';
import type {
  ContractTemplateOptions,
  ContractTemplateOptionsInput,
} from './contract-template-options.ts';

export interface GeneratedContract {
  /** The options after defaults, exactly what the source was rendered from. */
  options: ContractTemplateOptions;
  contractName: string;
  /** The source unit name, `<contractName>.sol`. */
  sourceName: string;
  /** The full Solidity source (MIT), importing @openzeppelin/contracts 5. */
  source: string;
  abi: Abi;
  bytecode: Hex;
  compilerVersion: string;
  warnings: string[];
  /** The constructor's single argument: who owns the contract (ownable) or holds every role (roles). */
  constructorArgument: 'initialOwner' | 'defaultAdmin';
}

export interface DeploymentOptions {
  /** The owner or admin; defaults to the signer. */
  owner?: Address;
}

/** What a deployment would be, from a simulation: nothing has been sent. */
export interface DeploymentPlan {
  chainId: number;
  deployer: Address;
  owner: Address;
  gasEstimate: bigint;
}

export interface DeployedContract extends DeploymentPlan {
  address: Address;
  transactionHash: Hex;
  blockNumber: bigint;
  gasUsed: bigint;
}

export interface ContractFactory {
  /**
   * Validates `options`, renders the template and compiles it. Invalid options throw an
   * `InvalidRequestError` naming the option; compile errors throw `SolidityCompilationError`.
   */
  generate(options: ContractTemplateOptionsInput): Promise<GeneratedContract>;
  /** Simulates the deployment: gas estimate, deployer, chain. A revert throws `TransactionRevertedError`. */
  planDeployment(contract: GeneratedContract, options?: DeploymentOptions): Promise<DeploymentPlan>;
  /** Deploys (simulating first) and verifies that code exists at the new address. */
  deploy(contract: GeneratedContract, options?: DeploymentOptions): Promise<DeployedContract>;
}
