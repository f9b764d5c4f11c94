/**
 * The one module that holds a private key. It signs; nothing else sees the key. The key arrives as a
 * `Secret` from the configuration (or the dev wallet's public key) and is revealed only here, into
 * viem's local account, whose closure keeps it. The signer prints as its address and label only.
 */
import { inspect } from 'node:util';
import type { Address, Hex, TransactionSerializableEIP1559, TypedDataDefinition } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { Secret } from '../../config/secret.ts';

export interface ChainSigner {
  readonly address: Address;
  /** What the key is, for logs and reports (never the key). */
  readonly label: string;
  /** Signs an EIP-1559 transaction; returns the serialized signed transaction. */
  signTransaction(transaction: TransactionSerializableEIP1559): Promise<Hex>;
  /** Signs EIP-712 typed data (an off-chain authorization); returns the 65-byte signature. */
  signTypedData(typedData: TypedDataDefinition): Promise<Hex>;
}

export function createChainSigner(privateKey: Secret, label: string): ChainSigner {
  const account = privateKeyToAccount(privateKey.reveal() as Hex);
  const describe = () => ({ address: account.address, label });
  return {
    address: account.address,
    label,
    signTransaction: (transaction) => account.signTransaction(transaction),
    signTypedData: (typedData) => account.signTypedData(typedData),
    toJSON: describe,
    [inspect.custom]: describe,
  } as ChainSigner;
}
