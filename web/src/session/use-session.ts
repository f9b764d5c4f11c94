/**
 * Signs in: asks the server who the stored key (or no key) is with `GET /v1/me`. In dev mode the server
 * accepts a request without a key, so the page opens at once; otherwise it asks for a key.
 */
import { useCallback, useEffect, useState } from 'react';
import { createApiClient } from '../api/api-client.ts';
import type { ApiSession } from '../api/api-context.tsx';
import type { Caller } from '../api/api-objects.ts';
import { ApiError } from '../api/api-error.ts';
import { forgetApiKey, readApiKey, storeApiKey } from './api-key-storage.ts';

export type SessionState =
  | { status: 'checking' }
  | { status: 'signed-out'; error?: string }
  | { status: 'signed-in'; session: ApiSession };

async function check(apiKey: string): Promise<ApiSession> {
  const client = createApiClient(apiKey);
  const caller = await client.get<Caller>('/v1/me');
  return { client, caller };
}

export function useSession() {
  const [state, setState] = useState<SessionState>({ status: 'checking' });

  const signIn = useCallback(async (apiKey: string) => {
    setState({ status: 'checking' });
    try {
      const session = await check(apiKey);
      storeApiKey(apiKey);
      setState({ status: 'signed-in', session });
    } catch (error) {
      const message =
        error instanceof ApiError && error.status === 401
          ? `That key was not accepted: ${error.message}`
          : (error as Error).message;
      setState({ status: 'signed-out', error: message });
    }
  }, []);

  const signOut = useCallback(() => {
    forgetApiKey();
    setState({ status: 'signed-out' });
  }, []);

  useEffect(() => {
    const stored = readApiKey();
    check(stored ?? '').then(
      (session) => setState({ status: 'signed-in', session }),
      () => {
        if (stored !== undefined) forgetApiKey();
        setState({ status: 'signed-out' });
      },
    );
  }, []);

  return { state, signIn, signOut };
}
