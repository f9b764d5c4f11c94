/** The API key lives in sessionStorage: it survives reloads of this tab and is gone when the tab closes. */
const KEY = 'concierge.apiKey';

export function readApiKey(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function storeApiKey(apiKey: string): void {
  sessionStorage.setItem(KEY, apiKey);
}

export function forgetApiKey(): void {
  sessionStorage.removeItem(KEY);
}
