/** `/v1/threads/{thread_id}/runs/{run_id}/steps` */
import { z } from 'zod';
import { publicStep } from '../../../../domain/public-step.ts';
import { defineRoute, type RouteDefinition } from '../../../../http/route.ts';
import { idSchema, listQuerySchema, listSchema, pageOf } from '../../../shared/common.schemas.ts';
import { IncludeSchema, RunPathSchema, RunStepSchema } from '../runs.schemas.ts';
import type { RunsService } from '../runs.service.ts';

const StepPathSchema = z.strictObject({
  thread_id: idSchema('thread'),
  run_id: idSchema('run'),
  step_id: idSchema('step'),
});

export function stepsRoutes(runs: RunsService): RouteDefinition[] {
  const tag = 'Run steps';
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/threads/:thread_id/runs/:run_id/steps',
      operationId: 'listRunSteps',
      summary: 'List run steps',
      tag,
      params: RunPathSchema,
      query: listQuerySchema({ 'include[]': IncludeSchema }),
      response: listSchema(RunStepSchema),
      handler: async ({ projectId, params, query }) => {
        const steps = await runs.steps(projectId, params.thread_id, params.run_id);
        const page = await steps.list(pageOf(query));
        return {
          ...page,
          data: page.data.map((step) => publicStep(step, query['include[]'] ?? [])),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/threads/:thread_id/runs/:run_id/steps/:step_id',
      operationId: 'getRunStep',
      summary: 'Retrieve a run step',
      tag,
      params: StepPathSchema,
      query: z.strictObject({ 'include[]': IncludeSchema }),
      response: RunStepSchema,
      handler: async ({ projectId, params, query }) => {
        const steps = await runs.steps(projectId, params.thread_id, params.run_id);
        return publicStep(await steps.retrieve(params.step_id), query['include[]'] ?? []);
      },
    }),
  ];
}
