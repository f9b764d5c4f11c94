/**
 * Shutdown in reverse creation order. Each piece of the composition pushes its `close` as soon as it
 * exists, so what was built last (and may use what came before) is closed first, and a piece built
 * before a failure is still closed.
 */
export interface CloserStack {
  /** Registers `close` for the part named `name`; it runs before everything pushed earlier. */
  push(name: string, close: () => Promise<void> | void): void;
  /**
   * Runs every close once, newest first. A close that fails does not stop the others; the first failure
   * is rethrown at the end (with the part's name). Later calls resolve when the first has finished.
   */
  close(): Promise<void>;
}

export function createCloserStack(): CloserStack {
  const closers: Array<{ name: string; close: () => Promise<void> | void }> = [];
  let closing: Promise<void> | undefined;
  const closeAll = async (): Promise<void> => {
    const failures: Error[] = [];
    for (const { name, close } of closers.reverse()) {
      try {
        await close();
      } catch (error) {
        failures.push(new Error(`closing ${name} failed`, { cause: error }));
      }
    }
    if (failures.length > 0) throw failures[0];
  };
  return {
    push(name, close) {
      if (closing) throw new Error(`${name} was created after shutdown began`);
      closers.push({ name, close });
    },
    close: () => (closing ??= closeAll()),
  };
}
