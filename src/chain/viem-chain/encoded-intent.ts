/** A transaction intent turned into call data, with what its result and reverts decode against. */
import {
  decodeFunctionResult,
  encodeDeployData,
  encodeFunctionData,
  type Abi,
  type Address,
  type Hex,
} from 'viem';
import type { TransactionIntent } from '../chain.ts';

/** The call data and target of an intent, and what to decode its result and reverts with. */
export interface EncodedIntent {
  to: Address | undefined;
  data: Hex;
  value: bigint | undefined;
  abi: Abi;
  describe: string;
  decodeResult(returned: Hex | undefined): unknown;
}

export function encodeIntent(intent: TransactionIntent): EncodedIntent {
  if (intent.kind === 'transfer') {
    return {
      to: intent.to,
      data: '0x',
      value: intent.value,
      abi: [],
      describe: `Sending ${intent.value} wei to ${intent.to}`,
      decodeResult: () => undefined,
    };
  }
  if (intent.kind === 'deploy') {
    return {
      to: undefined,
      data: encodeDeployData({
        abi: intent.abi,
        bytecode: intent.bytecode,
        args: intent.args ?? [],
      }),
      value: intent.value,
      abi: intent.abi,
      describe: 'Deploying the contract',
      decodeResult: () => undefined,
    };
  }
  return {
    to: intent.address,
    data: encodeFunctionData({
      abi: intent.abi,
      functionName: intent.functionName,
      args: intent.args ?? [],
    }),
    value: intent.value,
    abi: intent.abi,
    describe: `Calling ${intent.functionName} on ${intent.address}`,
    decodeResult: (returned) =>
      returned === undefined || returned === '0x'
        ? undefined
        : decodeFunctionResult({
            abi: intent.abi,
            functionName: intent.functionName,
            data: returned,
          }),
  };
}
