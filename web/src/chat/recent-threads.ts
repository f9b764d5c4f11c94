/**
 * Threads opened in this browser. The Assistants API has no "list threads" endpoint, so the playground
 * remembers the ones it created or opened (localStorage), newest first.
 */
const KEY = 'concierge.recentThreads';
const LIMIT = 30;

export interface RecentThread {
  id: string;
  title: string;
  openedAt: number;
}

export function recentThreads(): RecentThread[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed) ? (parsed as RecentThread[]) : [];
  } catch {
    return [];
  }
}

export function rememberThread(id: string, title: string): void {
  const others = recentThreads().filter((thread) => thread.id !== id);
  const previous = recentThreads().find((thread) => thread.id === id);
  const entry = { id, title: previous?.title || title, openedAt: Date.now() };
  localStorage.setItem(KEY, JSON.stringify([entry, ...others].slice(0, LIMIT)));
}

export function forgetThread(id: string): void {
  localStorage.setItem(KEY, JSON.stringify(recentThreads().filter((thread) => thread.id !== id)));
}
