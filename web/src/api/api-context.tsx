/** The API client of the signed-in session, for any component below the session gate. */
import { createContext, useContext } from 'react';
import type { ApiClient } from './api-client.ts';
import type { Caller } from './api-objects.ts';

export interface ApiSession {
  client: ApiClient;
  caller: Caller;
}

export const ApiSessionContext = createContext<ApiSession | undefined>(undefined);

/** The current session's client; only valid inside `<ApiSessionContext.Provider>`. */
export function useApi(): ApiClient {
  const session = useContext(ApiSessionContext);
  if (!session) throw new Error('useApi() outside of a signed-in session');
  return session.client;
}

/** Who the session is to the server (project, key, dev mode). */
export function useCaller(): Caller {
  const session = useContext(ApiSessionContext);
  if (!session) throw new Error('useCaller() outside of a signed-in session');
  return session.caller;
}
