/**
 * The next nonce of one signer on one chain. Sends are serialized, so one number is enough: it moves
 * past every nonce a node accepted, and never below what the node reports as pending (another process
 * with the same key may have sent). A send the node refused forgets the number, so the next send asks
 * the node again.
 */
export interface NonceManager {
  /** The nonce the next transaction must carry. */
  next(): Promise<number>;
  /** The node accepted a transaction with `nonce`. */
  accepted(nonce: number): void;
  /** The node refused a transaction, or its fate is unknown: trust only the node from now on. */
  forget(): void;
}

/** `pending` reads the node's count of the signer's transactions, pending ones included. */
export function createNonceManager(pending: () => Promise<number>): NonceManager {
  let known: number | undefined;
  return {
    async next() {
      // A load-balanced node can lag behind a transaction it just accepted; the local count does not.
      const reported = await pending();
      return known === undefined ? reported : Math.max(known, reported);
    },
    accepted(nonce) {
      known = nonce + 1;
    },
    forget() {
      known = undefined;
    },
  };
}
