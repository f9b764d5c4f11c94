/**
 * The stored-bytes limit of a project and key, decided in the transaction that records a new file:
 * under a lock on the scope's row, the bytes already stored plus the new file's must fit, so
 * parallel uploads on any node cannot together pass the limit. `freed`: the bytes of the file the new
 * one replaces in the same transaction (a container file at the same path), which stop counting.
 */
import { RateLimitError } from '../../domain/errors.ts';
import { scopeKey, type LimitScope } from '../../domain/limits.ts';
import type { Store } from '../../storage/store.ts';

export async function admitStoredBytes(
  transaction: Store,
  scopes: LimitScope[],
  projectId: string,
  bytes: number,
  freed: () => Promise<number> = async () => 0,
): Promise<void> {
  let replaced: number | undefined;
  for (const scope of scopes) {
    const limit = scope.limits.max_stored_bytes;
    if (limit === null) continue;
    await transaction.limits.lockScope(`bytes:${scopeKey(scope)}`);
    const stored = await transaction.limits.storedBytes(
      projectId,
      scope.kind === 'key' ? scope.id : undefined,
    );
    // Read under the lock, so a parallel replacement of the same path is seen (or waits).
    if (stored + bytes > limit && stored - (replaced ??= await freed()) + bytes > limit) {
      const name = scope.kind === 'project' ? `project ${scope.id}` : `API key ${scope.id}`;
      throw new RateLimitError(
        `Limit reached for stored bytes in ${name}: Limit ${limit}, Stored ${stored}, Requested ${bytes}${replaced ? `, Replaced ${replaced}` : ''}. Delete files to make room.`,
        'stored_bytes',
      );
    }
  }
}
