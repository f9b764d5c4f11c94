/**
 * The dev chain's funded wallet. Its key is Hardhat's and Anvil's account #0, derived from the
 * public mnemonic "test test … junk": PUBLICLY KNOWN, so anything it holds on a real network is
 * taken within seconds. It exists only for the embedded dev chain; an RPC chain never uses it.
 */
import { parseEther, type Hex } from 'viem';

export const DEV_WALLET = {
  label: 'dev wallet (publicly known Hardhat/Anvil account #0 key; dev chain only)',
  privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' as Hex,
  address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  /** Ether at genesis. */
  balance: parseEther('10000'),
} as const;

/** The dev chain's id: Hardhat's and Anvil's, so wallets and tools recognise it as a local chain. */
export const DEV_CHAIN_ID = 31337;
