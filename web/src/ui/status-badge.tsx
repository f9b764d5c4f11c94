/** A run, step or file status as a coloured, labelled badge (the text carries the meaning, not the colour). */
const TONES: Record<string, string> = {
  completed: 'good',
  in_progress: 'busy',
  queued: 'busy',
  cancelling: 'busy',
  requires_action: 'attention',
  failed: 'bad',
  expired: 'bad',
  cancelled: 'muted',
  incomplete: 'attention',
};

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${TONES[status] ?? 'muted'}`}>{status.replaceAll('_', ' ')}</span>
  );
}
