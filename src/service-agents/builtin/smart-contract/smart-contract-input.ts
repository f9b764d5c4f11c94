/**
 * The smart_contract agent's input: the closed option set of our templates, whether to deploy, and
 * who owns the result. The model picks the options from the user's words; this schema is all it may
 * choose from, so no free-form Solidity ever reaches the compiler.
 *
 * The options sit under `contract` rather than at the top level because they are a union of three
 * object shapes, and OpenAI-style function parameters must be one object at the top.
 */
import { z } from 'zod';
import { ContractTemplateOptionsSchema } from '../../../chain/contract-template-options.ts';

export const SmartContractInputSchema = z.strictObject({
  contract: ContractTemplateOptionsSchema.describe(
    'The contract to generate: pick the standard and the features the user asked for.',
  ),
  deploy: z
    .boolean()
    .default(false)
    .describe(
      'Also deploy it to the chain. Deploying is an action: it waits for the spending policy and, usually, a person’s approval.',
    ),
  owner: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'use an address: 0x followed by 40 hex digits')
    .optional()
    .describe(
      'Who owns the deployed contract (or holds every role); the deploying wallet when absent.',
    ),
});

export type SmartContractInput = z.infer<typeof SmartContractInputSchema>;

/** The input schema as JSON Schema, what the model sees as the function's parameters. */
export function smartContractInputJsonSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(SmartContractInputSchema, {
    io: 'input',
  });
  // The tag of the union (OpenAPI's keyword, which ajv understands): validators report the errors of the
  // branch the model meant, rather than "standard must be equal to constant" from the first branch.
  const contract = (schema.properties as Record<string, Record<string, unknown>>)['contract']!;
  contract['discriminator'] = { propertyName: 'standard' };
  return schema;
}

/** The default description of agents created from this built-in. */
export const SMART_CONTRACT_AGENT_DESCRIPTION =
  'Generates a smart contract (ERC-20 token, ERC-721 NFT or ERC-1155 multi-token) from Concierge’s templates over the OpenZeppelin Contracts 5 library (only the listed options, no free-form code), compiles it with solc, and returns the Solidity source, ABI and bytecode as files. With deploy: true it also deploys it to the chain after the spending policy (and usually a person) approves, and reports the address and transaction hash.';
