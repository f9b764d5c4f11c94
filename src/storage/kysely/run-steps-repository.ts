/** Run steps on Kysely, stored whole as JSON, with the engine's private transcript beside them. */
import type { Kysely } from 'kysely';
import type { RunStep } from '../../domain/run.ts';
import type { StepTranscript } from '../../domain/run-record.ts';
import type { RunHolder, RunStepRepository } from '../ports/runs-port.ts';
import { whileHeld } from './held-statement.ts';
import type { Database, Dialect } from './database.ts';
import { executeWritten, writtenSql, type WrittenStatement } from './written-sql.ts';
import { paginate } from './paginate.ts';

const toStep = (row: { object: string }) => JSON.parse(row.object) as RunStep;

/** A step's update, with or without its transcript (every run completes one): see written-sql.ts. */
const UPDATE_STEP = writtenSql(
  'update "run_steps" set "object" = ? where "id" = ? and "project_id" = ?',
);
const UPDATE_STEP_AND_TRANSCRIPT = writtenSql(
  'update "run_steps" set "object" = ?, "transcript" = ? where "id" = ? and "project_id" = ?',
);
/** A step's insert (every run makes one at least). */
const INSERT_STEP = writtenSql(
  'insert into "run_steps" ("id", "project_id", "run_id", "created_at", "object", "transcript") values (?, ?, ?, ?, ?, ?)',
);

/** A step's insert, as written out. */
export function stepInsert(
  projectId: string,
  step: RunStep,
  transcript?: StepTranscript,
): WrittenStatement {
  return {
    sql: INSERT_STEP,
    parameters: [
      step.id,
      projectId,
      step.run_id,
      step.created_at,
      JSON.stringify(step),
      transcript ? JSON.stringify(transcript) : null,
    ],
  };
}

/** A step's update (its object; its transcript too when given), as written out. */
export function stepUpdate(
  projectId: string,
  step: RunStep,
  transcript?: StepTranscript,
): WrittenStatement {
  const object = JSON.stringify(step);
  return transcript
    ? {
        sql: UPDATE_STEP_AND_TRANSCRIPT,
        parameters: [object, JSON.stringify(transcript), step.id, projectId],
      }
    : { sql: UPDATE_STEP, parameters: [object, step.id, projectId] };
}

export function runStepsRepository(db: Kysely<Database>, dialect: Dialect): RunStepRepository {
  const inRun = (projectId: string, runId: string) =>
    db
      .selectFrom('run_steps')
      .select(['id', 'created_at', 'object'])
      .where('run_id', '=', runId)
      .where('project_id', '=', projectId);
  /** Runs `written`, only while `heldBy` holds the run when given; whether a row was written. */
  async function write(written: WrittenStatement, heldBy: RunHolder | undefined) {
    const { sql: statement, parameters } = heldBy ? whileHeld(written, heldBy) : written;
    const result = await executeWritten(db, dialect, statement, parameters);
    return heldBy === undefined || Boolean(result.numAffectedRows);
  }
  return {
    insert(projectId, step, transcript, heldBy) {
      return write(stepInsert(projectId, step, transcript), heldBy);
    },
    update(projectId, step, transcript, heldBy) {
      return write(stepUpdate(projectId, step, transcript), heldBy);
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
