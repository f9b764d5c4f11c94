/** Run steps on Kysely, stored whole as JSON, with the engine's private transcript beside them. */
import type { Kysely } from 'kysely';
import type { RunStep } from '../../domain/run.ts';
import type { StepTranscript } from '../../domain/run-record.ts';
import type { RunStepRepository } from '../ports/runs-port.ts';
import type { Database, Dialect } from './database.ts';
import { executeWritten, writtenSql } from './written-sql.ts';
import { paginate } from './paginate.ts';

const toStep = (row: { object: string }) => JSON.parse(row.object) as RunStep;

/** A step's update, with or without its transcript (every run completes one): see written-sql.ts. */
const UPDATE_STEP = writtenSql(
  'update "run_steps" set "object" = ? where "id" = ? and "project_id" = ?',
);
const UPDATE_STEP_AND_TRANSCRIPT = writtenSql(
  'update "run_steps" set "object" = ?, "transcript" = ? where "id" = ? and "project_id" = ?',
);

export function runStepsRepository(db: Kysely<Database>, dialect: Dialect): RunStepRepository {
  const inRun = (projectId: string, runId: string) =>
    db
      .selectFrom('run_steps')
      .select(['id', 'created_at', 'object'])
      .where('run_id', '=', runId)
      .where('project_id', '=', projectId);
  return {
    async insert(projectId, step, transcript) {
      await db
        .insertInto('run_steps')
        .values({
          id: step.id,
          project_id: projectId,
          run_id: step.run_id,
          created_at: step.created_at,
          object: JSON.stringify(step),
          transcript: transcript ? JSON.stringify(transcript) : null,
        })
        .execute();
    },
    async update(projectId, step, transcript) {
      const object = JSON.stringify(step);
      await (transcript
        ? executeWritten(db, dialect, UPDATE_STEP_AND_TRANSCRIPT, [
            object,
            JSON.stringify(transcript),
            step.id,
            projectId,
          ])
        : executeWritten(db, dialect, UPDATE_STEP, [object, step.id, projectId]));
    },
    async find(projectId, runId, stepId) {
      const row = await inRun(projectId, runId).where('id', '=', stepId).executeTakeFirst();
      return row && toStep(row);
    },
    list(projectId, runId, page) {
      return paginate(inRun(projectId, runId), page, toStep);
    },
    async listAll(projectId, runId) {
      const rows = await db
        .selectFrom('run_steps')
        .select(['object', 'transcript'])
        .where('run_id', '=', runId)
        .where('project_id', '=', projectId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        step: toStep(row),
        transcript: row.transcript ? (JSON.parse(row.transcript) as StepTranscript) : null,
      }));
    },
  };
}
