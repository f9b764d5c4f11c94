/**
 * The contract factory over our templates: validate options, render, compile, then simulate and send
 * the deployment as the chain's signer. The owner (or admin) is the constructor's one argument.
 */
import { getAddress, isAddress } from 'viem';
import type { z } from 'zod';
import { InvalidRequestError } from '../../domain/errors.ts';
import type { Chain, ContractDeployment } from '../chain.ts';
import type { ContractFactory, DeploymentOptions, GeneratedContract } from '../contract-factory.ts';
import { ContractTemplateOptionsSchema } from '../contract-template-options.ts';
import { contractNamed, type SolidityCompiler } from '../solidity-compiler.ts';
import { renderContract } from './render-contract.ts';

export interface TemplateContractFactoryOptions {
  chain: Chain;
  compiler: SolidityCompiler;
}

function invalidOption(issue: z.core.$ZodIssue): InvalidRequestError {
  const param = issue.path.map(String).join('.');
  return new InvalidRequestError(
    `Invalid contract option${param ? ` '${param}'` : ''}: ${issue.message}`,
    param || null,
    'invalid_contract_option',
  );
}

export function createTemplateContractFactory({
  chain,
  compiler,
}: TemplateContractFactoryOptions): ContractFactory {
  async function deployment(contract: GeneratedContract, options: DeploymentOptions) {
    if (options.owner !== undefined && !isAddress(options.owner, { strict: false })) {
      throw new InvalidRequestError(
        `The owner ${JSON.stringify(options.owner)} is not an address (0x followed by 40 hex digits).`,
        'owner',
      );
    }
    const owner =
      options.owner !== undefined ? getAddress(options.owner) : await chain.signerAddress();
    const intent: { kind: 'deploy' } & ContractDeployment = {
      kind: 'deploy',
      abi: contract.abi,
      bytecode: contract.bytecode,
      args: [owner],
    };
    return { owner, intent };
  }

  return {
    async generate(input) {
      const parsed = ContractTemplateOptionsSchema.safeParse(input);
      if (!parsed.success) throw invalidOption(parsed.error.issues[0]!);
      const options = parsed.data;
      let rendered;
      try {
        rendered = renderContract(options);
      } catch (error) {
        throw new InvalidRequestError(
          (error as Error).message,
          'contractName',
          'invalid_contract_option',
        );
      }
      const compilation = await compiler.compile({ [rendered.sourceName]: rendered.source });
      const compiled = contractNamed(compilation, rendered.contractName);
      return {
        options,
        contractName: rendered.contractName,
        sourceName: rendered.sourceName,
        source: rendered.source,
        abi: compiled.abi,
        bytecode: compiled.bytecode,
        compilerVersion: compilation.compilerVersion,
        warnings: compilation.warnings,
        constructorArgument: rendered.constructorArgument,
      };
    },
    async planDeployment(contract, options = {}) {
      const { owner, intent } = await deployment(contract, options);
      const simulation = await chain.simulate(intent);
      return {
        chainId: simulation.chainId,
        deployer: simulation.from,
        owner,
        gasEstimate: simulation.gasEstimate,
      };
    },
    async deploy(contract, options = {}) {
      const { owner, intent } = await deployment(contract, options);
      const sent = await chain.send(intent);
      return {
        chainId: sent.chainId,
        deployer: sent.from,
        owner,
        gasEstimate: sent.gasEstimate,
        address: sent.contractAddress!,
        transactionHash: sent.hash,
        blockNumber: sent.blockNumber,
        gasUsed: sent.gasUsed,
      };
    },
  };
}
