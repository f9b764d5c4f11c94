/** Formatting of the API's units for people: unix seconds, byte counts, durations. */

export function formatTime(seconds: number | null | undefined): string {
  if (seconds == null) return '—';
  return new Date(seconds * 1000).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'medium',
  });
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The time between two unix-second stamps, or '—' when either is missing. */
export function formatDuration(
  from: number | null | undefined,
  to: number | null | undefined,
): string {
  if (from == null || to == null) return '—';
  const seconds = Math.max(0, to - from);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
