/** Rows of a vector store and of a file in it, as the store's repositories take them. */
import { AUTO_CHUNKING } from '../../src/domain/vector-store.ts';

/** A vector store with no expiry, created and last active at `at`. */
export function vectorStoreRecord(id: string, at = 1) {
  return {
    id,
    created_at: at,
    name: 'fixture',
    description: null,
    metadata: {},
    expires_after: null,
    last_active_at: at,
  };
}

/** A file added to a vector store, waiting to be indexed (an ingestion job). */
export function inProgressFile(id: string, vectorStoreId: string, at = 1) {
  return {
    id,
    object: 'vector_store.file' as const,
    usage_bytes: 0,
    created_at: at,
    vector_store_id: vectorStoreId,
    status: 'in_progress' as const,
    last_error: null,
    chunking_strategy: AUTO_CHUNKING,
    attributes: {},
  };
}

/**
 * Calls of the stored-bytes meter's PL/pgSQL function (migration 0017) in the client's open
 * transaction, once it ran `set local track_functions = 'pl'`.
 */
export async function meterCalls(client: {
  query<R>(text: string): Promise<{ rows: R[] }>;
}): Promise<number> {
  const { rows } = await client.query<{ calls: string | null }>(
    `select pg_stat_get_xact_function_calls('meter_stored_bytes'::regproc) as calls`,
  );
  return Number(rows[0]?.calls ?? 0);
}
