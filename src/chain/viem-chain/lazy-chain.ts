/**
 * A `Chain` that starts on first use. Concurrent first calls share one start; a start that fails is
 * forgotten, so the next call tries again and reports its own error.
 */
import type { Chain, ChainKind } from '../chain.ts';
import { ChainUnavailableError } from '../chain-errors.ts';

export function createLazyChain(kind: ChainKind, start: () => Promise<Chain>): Chain {
  let starting: Promise<Chain> | undefined;

  function started(): Promise<Chain> {
    starting ??= start().catch((error: unknown) => {
      starting = undefined;
      if (error instanceof ChainUnavailableError) throw error;
      throw new ChainUnavailableError(
        `The ${kind} chain could not start: ${(error as Error).message}`,
      );
    });
    return starting;
  }

  return {
    kind,
    chainId: async () => (await started()).chainId(),
    signerAddress: async () => (await started()).signerAddress(),
    client: async () => (await started()).client(),
    read: async (call) => (await started()).read(call),
    nativeBalance: async (address) => (await started()).nativeBalance(address),
    tokenBalance: async (token, owner) => (await started()).tokenBalance(token, owner),
    code: async (address) => (await started()).code(address),
    simulate: async (intent) => (await started()).simulate(intent),
    send: async (intent) => (await started()).send(intent),
    withSigner: async (work) => (await started()).withSigner(work),
    signTypedData: async (typedData) => (await started()).signTypedData(typedData),
    request: async (call) => (await started()).request(call),
    async close() {
      const running = starting;
      starting = undefined;
      if (!running) return;
      const chain = await running.catch(() => undefined);
      await chain?.close();
    },
  };
}
