/** Run steps on Kysely, stored whole as JSON, with the engine's private transcript beside them. */
import type { Kysely } from 'kysely';
import type { RunStep } from '../../domain/run.ts';
import type { StepTranscript } from '../../domain/run-record.ts';
import type { RunStepRepository } from '../ports/runs-port.ts';
import type { Database } from './database.ts';
import { paginate } from './paginate.ts';

const toStep = (row: { object: string }) => JSON.parse(row.object) as RunStep;

export function runStepsRepository(db: Kysely<Database>): RunStepRepository {
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
      await db
        .updateTable('run_steps')
        .set({
          object: JSON.stringify(step),
          ...(transcript ? { transcript: JSON.stringify(transcript) } : {}),
        })
        .where('id', '=', step.id)
        .where('project_id', '=', projectId)
        .execute();
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
