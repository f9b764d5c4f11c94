/**
 * The closed option set of our contract templates: ERC-20, ERC-721 and ERC-1155 over
 * @openzeppelin/contracts 5 (MIT; not the AGPL wizard). Every user-supplied string that reaches the
 * Solidity source (name, symbol, URIs) is held to a strict character set here, and checked again
 * where it is printed, so no option can inject Solidity. Use it as a tool's input schema.
 */
import { z } from 'zod';

/** Characters a name may hold: nothing that can end a Solidity string literal or start a comment. */
const DISPLAY_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
const SYMBOL = /^[A-Za-z0-9]{1,11}$/;
/** URL characters of RFC 3986 plus `{` `}` for ERC-1155's `{id}`; no quote, backslash, space or control character. */
const URI = /^[A-Za-z0-9:/._~%?#@!$&'()*+,;=[\]{}-]*$/;
const CONTRACT_NAME = /^[A-Z][A-Za-z0-9]{0,63}$/;
const WHOLE_TOKENS = /^[0-9]{1,30}$/;

const name = z
  .string()
  .regex(
    DISPLAY_NAME,
    'use 1 to 64 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit',
  );
const symbol = z.string().regex(SYMBOL, 'use 1 to 11 letters or digits');
const uri = z
  .string()
  .max(200)
  .regex(URI, 'use URL characters only (no quotes, backslashes or spaces)');
const contractName = z
  .string()
  .regex(
    CONTRACT_NAME,
    'use a Solidity contract name: a capital letter, then up to 63 letters or digits',
  )
  .optional()
  .describe('The Solidity contract name; derived from `name` when absent.');
const wholeTokens = z
  .string()
  .regex(WHOLE_TOKENS, 'use a whole number of tokens, as decimal digits');
const access = z
  .enum(['ownable', 'roles'])
  .default('ownable')
  .describe(
    'ownable: one owner controls minting, pausing and URIs. roles: AccessControl with an admin who holds every role at first.',
  );

export const Erc20OptionsSchema = z
  .strictObject({
    standard: z.literal('erc20'),
    name,
    symbol,
    contractName,
    decimals: z.number().int().min(0).max(18).default(18),
    premint: wholeTokens.default('0').describe('Whole tokens minted to the owner at deployment.'),
    mintable: z.boolean().default(false),
    burnable: z.boolean().default(false),
    pausable: z.boolean().default(false),
    permit: z.boolean().default(false).describe('EIP-2612 gasless approvals.'),
    cap: wholeTokens
      .optional()
      .describe('A maximum total supply in whole tokens (ERC20Capped); no cap when absent.'),
    access,
  })
  .refine((options) => options.cap === undefined || BigInt(options.cap) > 0n, {
    message: 'the cap must be above zero',
    path: ['cap'],
  })
  .refine(
    (options) => options.cap === undefined || BigInt(options.cap) >= BigInt(options.premint),
    {
      message: 'the premint exceeds the cap',
      path: ['premint'],
    },
  );

export const Erc721OptionsSchema = z.strictObject({
  standard: z.literal('erc721'),
  name,
  symbol,
  contractName,
  baseUri: uri
    .optional()
    .describe(
      'Prefix of every token URI; token URIs are empty when absent (unless URI storage sets them).',
    ),
  mintable: z.boolean().default(false),
  autoIncrementIds: z
    .boolean()
    .default(true)
    .describe('With mintable: ids count up from 0; otherwise the minter picks them.'),
  burnable: z.boolean().default(false),
  pausable: z.boolean().default(false),
  enumerable: z.boolean().default(false),
  uriStorage: z.boolean().default(false).describe('A URI per token, set when it is minted.'),
  access,
});

export const Erc1155OptionsSchema = z.strictObject({
  standard: z.literal('erc1155'),
  name,
  contractName,
  uri: uri.describe('The metadata URI of every token type; clients replace `{id}` with the id.'),
  mintable: z.boolean().default(false),
  burnable: z.boolean().default(false),
  pausable: z.boolean().default(false),
  supplyTracking: z.boolean().default(false).describe('ERC1155Supply: total supply per id.'),
  access,
});

export const ContractTemplateOptionsSchema = z.discriminatedUnion('standard', [
  Erc20OptionsSchema,
  Erc721OptionsSchema,
  Erc1155OptionsSchema,
]);

export type Erc20Options = z.infer<typeof Erc20OptionsSchema>;
export type Erc721Options = z.infer<typeof Erc721OptionsSchema>;
export type Erc1155Options = z.infer<typeof Erc1155OptionsSchema>;
/** Options after defaults are applied. */
export type ContractTemplateOptions = z.infer<typeof ContractTemplateOptionsSchema>;
/** Options as a caller writes them (defaults may be left out). */
export type ContractTemplateOptionsInput = z.input<typeof ContractTemplateOptionsSchema>;
