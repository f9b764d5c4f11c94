/** Loads something from the API and exposes it with its error and a reload; the one data-fetching hook. */
import { useCallback, useEffect, useState } from 'react';

export interface Resource<Value> {
  value: Value | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
}

export function useResource<Value>(
  load: () => Promise<Value>,
  dependencies: unknown[],
): Resource<Value> {
  const [value, setValue] = useState<Value>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  // oxlint-disable-next-line react-hooks/exhaustive-deps -- the caller names what the loader depends on
  const stableLoad = useCallback(load, dependencies);

  useEffect(() => {
    let current = true;
    setLoading(true);
    const run = async () => {
      try {
        const loaded = await stableLoad();
        if (!current) return;
        setValue(loaded);
        setError(undefined);
      } catch (failure) {
        if (!current) return;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
      }
      setLoading(false);
    };
    void run();
    return () => {
      current = false;
    };
  }, [stableLoad, generation]);

  return {
    value,
    error,
    loading,
    reload: useCallback(() => setGeneration((count) => count + 1), []),
  };
}
