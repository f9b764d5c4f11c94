/**
 * How many requests each caller has in flight, with a ceiling. Entering is one synchronous step (check
 * and count together), so parallel requests can never both take the last place.
 */
export interface InFlightLimit {
  /** Counts a request of `caller` in; undefined when it already has `max` in flight. Call the returned function once, when the request ends. */
  enter(caller: string): (() => void) | undefined;
}

export function createInFlightLimit(max: number): InFlightLimit {
  const inFlight = new Map<string, number>();
  return {
    enter(caller) {
      const current = inFlight.get(caller) ?? 0;
      if (current >= max) return undefined;
      inFlight.set(caller, current + 1);
      let left = false;
      return () => {
        if (left) return;
        left = true;
        const remaining = (inFlight.get(caller) ?? 1) - 1;
        if (remaining > 0) inFlight.set(caller, remaining);
        else inFlight.delete(caller);
      };
    },
  };
}
