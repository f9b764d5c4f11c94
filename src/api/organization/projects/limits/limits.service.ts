/** The limits of a project or of one of its keys: read them, or set the project's or key's own. */
import { NotFoundError } from '../../../../domain/errors.ts';
import { LIMIT_NAMES, type LimitPolicy, type Limits } from '../../../../domain/limits.ts';
import type { Store } from '../../../../storage/store.ts';
import type { ProjectsService } from '../projects.service.ts';

export interface LimitsServiceOptions {
  store: Store;
  projects: ProjectsService;
  policy: LimitPolicy;
}

export function createLimitsService({ store, projects, policy }: LimitsServiceOptions) {
  /** 404s for a project or key that does not exist. */
  async function requireOwner(projectId: string, apiKeyId: string | null): Promise<void> {
    await projects.retrieve(projectId);
    if (apiKeyId && !(await store.apiKeys.find(projectId, apiKeyId)))
      throw NotFoundError.object('API key', apiKeyId, 'key_id');
  }

  return {
    async retrieve(projectId: string, apiKeyId: string | null) {
      await requireOwner(projectId, apiKeyId);
      return policy.describe(projectId, apiKeyId);
    },

    /** Sets the given limits (null: back to the default); the others stay as they are. */
    async update(projectId: string, apiKeyId: string | null, changes: Partial<Limits>) {
      await requireOwner(projectId, apiKeyId);
      policy.invalidate();
      const current = await policy.describe(projectId, apiKeyId);
      const limits = { ...current.overrides };
      for (const name of LIMIT_NAMES) {
        const value = changes[name];
        if (value !== undefined) limits[name] = value;
      }
      await store.limits.putOverride({ projectId, apiKeyId, limits });
      policy.invalidate();
      return policy.describe(projectId, apiKeyId);
    },
  };
}

export type LimitsService = ReturnType<typeof createLimitsService>;
