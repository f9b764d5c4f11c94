/**
 * Streaming writes before new-run setup: at most one new run is set up (inserted by a creating
 * request, or claimed by the worker) per turn of the event loop. The first setup of a turn goes at
 * once; the others wait in order, one per later turn, so between two setups the loop serves all the
 * I/O that is ready (the tokens of running runs and their stream writes). A burst of 200 creations
 * thus interleaves with the streams instead of holding the loop for all 200.
 */
export interface SetupTurns {
  /** Resolves when the caller may set up one new run (undefined: at once). */
  take(): Promise<void> | undefined;
}

/** `nextTurn` defers to the loop's next turn (tests inject a manual one). */
export function createSetupTurns(
  nextTurn: (callback: () => void) => void = (callback) => void setImmediate(callback),
): SetupTurns {
  const waiting: Array<() => void> = [];
  let taken = false;
  // Runs after the I/O of the next turn (setImmediate's check phase): hands that turn to a waiter.
  const turn = () => {
    const next = waiting.shift();
    if (!next) {
      taken = false;
      return;
    }
    next();
    nextTurn(turn);
  };
  return {
    take() {
      if (!taken) {
        taken = true;
        nextTurn(turn);
        return undefined;
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}
