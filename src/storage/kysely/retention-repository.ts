/**
 * The janitor's queries on Kysely, for both dialects. A deletion first finds candidates, then per
 * candidate locks the row (PostgreSQL `FOR UPDATE`; SQLite runs one transaction at a time) and
 * deletes it only if its condition still holds, read by a statement that starts after the lock.
 */
import type { Kysely, Transaction } from 'kysely';
import { ACTIVE_RUN_STATUSES } from '../../domain/run-status.ts';
import { isExpired } from '../../domain/vector-store.ts';
import type { ProjectObject, RetentionRepository } from '../ports/retention-port.ts';
import type { Database } from './database.ts';
import { fromJson, fromNullableJson } from './json-column.ts';
import { withTransaction } from './with-transaction.ts';

/** `expires_after.days` is at least 1, so a store active within the last day has not expired. */
const SHORTEST_EXPIRY_SECONDS = 86_400;

function inactiveThreads(db: Kysely<Database>, before: number) {
  return (
    db
      .selectFrom('threads as thread')
      .select(['thread.id', 'thread.project_id'])
      .where('thread.created_at', '<', before)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('messages')
              .select('messages.id')
              .whereRef('messages.thread_id', '=', 'thread.id')
              .where('messages.created_at', '>=', before),
          ),
        ),
      )
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('runs')
              .select('runs.id')
              .whereRef('runs.thread_id', '=', 'thread.id')
              .where((run) =>
                run.or([
                  run('runs.created_at', '>=', before),
                  run('runs.status', 'in', [...ACTIVE_RUN_STATUSES]),
                ]),
              ),
          ),
        ),
      )
      // A response's private thread goes with its responses (`deleteOldResponses`).
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('responses')
              .select('responses.id')
              .whereRef('responses.thread_id', '=', 'thread.id'),
          ),
        ),
      )
  );
}

/** Responses created before `before` whose run is not active. */
function oldResponses(db: Kysely<Database>, before: number) {
  return db
    .selectFrom('responses as response')
    .select(['response.id', 'response.project_id', 'response.thread_id'])
    .where('response.created_at', '<', before)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('runs')
            .select('runs.id')
            .whereRef('runs.id', '=', 'response.run_id')
            .where('runs.status', 'in', [...ACTIVE_RUN_STATUSES]),
        ),
      ),
    );
}

/** Deletes each candidate `remove` agrees to; returns those deleted. */
async function deleteEach(
  candidates: ProjectObject[],
  remove: (candidate: ProjectObject) => Promise<boolean>,
): Promise<ProjectObject[]> {
  const deleted: ProjectObject[] = [];
  for (const candidate of candidates) if (await remove(candidate)) deleted.push(candidate);
  return deleted;
}

export function retentionRepository(
  db: Kysely<Database>,
  dialect: 'sqlite' | 'postgres',
): RetentionRepository {
  /** Runs `decide` with the row of `table` locked; deletes the row when it says so. */
  async function deleteLocked(
    table: 'threads' | 'vector_stores',
    candidate: ProjectObject,
    decide: (transaction: Transaction<Database>) => Promise<boolean>,
  ): Promise<boolean> {
    return withTransaction(db, async (transaction) => {
      if (dialect === 'postgres')
        await transaction
          .selectFrom(table)
          .select('id')
          .where('id', '=', candidate.id)
          .forUpdate()
          .execute();
      if (!(await decide(transaction))) return false;
      const result = await transaction
        .deleteFrom(table)
        .where('id', '=', candidate.id)
        .where('project_id', '=', candidate.projectId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  return {
    async deleteInactiveThreads(before, limit) {
      const rows = await inactiveThreads(db, before).limit(limit).execute();
      return deleteEach(
        rows.map((row) => ({ projectId: row.project_id, id: row.id })),
        (candidate) =>
          deleteLocked('threads', candidate, async (transaction) => {
            const still = await inactiveThreads(transaction, before)
              .where('thread.id', '=', candidate.id)
              .executeTakeFirst();
            return still !== undefined;
          }),
      );
    },
    async deleteOldResponses(before, limit) {
      const rows = await oldResponses(db, before).limit(limit).execute();
      return deleteEach(
        rows.map((row) => ({ projectId: row.project_id, id: row.id })),
        (candidate) =>
          withTransaction(db, async (transaction) => {
            // The run's row is the lock a worker or an API node takes to move it.
            const row = await oldResponses(transaction, before)
              .where('response.id', '=', candidate.id)
              .executeTakeFirst();
            if (!row) return false;
            if (dialect === 'postgres')
              await transaction
                .selectFrom('threads')
                .select('id')
                .where('id', '=', row.thread_id)
                .forUpdate()
                .execute();
            await transaction.deleteFrom('responses').where('id', '=', candidate.id).execute();
            const others = await transaction
              .selectFrom('responses')
              .select('id')
              .where('thread_id', '=', row.thread_id)
              .executeTakeFirst();
            if (!others)
              await transaction
                .deleteFrom('threads')
                .where('id', '=', row.thread_id)
                .where('project_id', '=', candidate.projectId)
                .execute();
            return true;
          }),
      );
    },
    async deleteExpiredVectorStores(before, limit) {
      const candidates = await db
        .selectFrom('vector_stores')
        .select(['id', 'project_id'])
        .where('expires_after', 'is not', null)
        .where(({ eb, fn, ref }) =>
          eb(
            fn.coalesce(ref('last_active_at'), ref('created_at')),
            '<=',
            before - SHORTEST_EXPIRY_SECONDS,
          ),
        )
        .execute();
      const deleted: ProjectObject[] = [];
      for (const row of candidates) {
        if (deleted.length >= limit) break;
        const candidate = { projectId: row.project_id, id: row.id };
        const removed = await deleteLocked('vector_stores', candidate, async (transaction) => {
          const current = await transaction
            .selectFrom('vector_stores')
            .selectAll()
            .where('id', '=', candidate.id)
            .executeTakeFirst();
          return (
            current !== undefined &&
            isExpired(
              {
                id: current.id,
                created_at: Number(current.created_at),
                name: current.name,
                description: current.description,
                metadata: fromJson(current.metadata),
                expires_after: fromNullableJson(current.expires_after),
                last_active_at:
                  current.last_active_at === null ? null : Number(current.last_active_at),
              },
              before,
            )
          );
        });
        if (removed) deleted.push(candidate);
      }
      return deleted;
    },
    async storedFileIds(ids) {
      if (ids.length === 0) return new Set();
      // Container files keep their bytes in the same blob store.
      const rows = await db
        .selectFrom('files')
        .select('id')
        .where('id', 'in', ids)
        .unionAll(db.selectFrom('container_files').select('id').where('id', 'in', ids))
        .execute();
      return new Set(rows.map((row) => row.id));
    },
  };
}
