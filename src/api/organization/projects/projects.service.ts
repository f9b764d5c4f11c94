/** Projects (admin only): every stored object belongs to exactly one. */
import { nowSeconds } from '../../../domain/clock.ts';
import { InvalidRequestError, NotFoundError } from '../../../domain/errors.ts';
import { newId } from '../../../domain/ids.ts';
import type { PageParams } from '../../../domain/list-page.ts';
import { DEFAULT_PROJECT_ID, type Project } from '../../../domain/project.ts';
import type { Store } from '../../../storage/store.ts';

export interface ProjectsServiceOptions {
  store: Store;
  /** Called when keys stop being valid (archive), so caches drop them. */
  onAccessChanged: () => void;
}

/** Creates the default project on first start; idempotent. */
export async function ensureDefaultProject(store: Store): Promise<void> {
  if (await store.projects.find(DEFAULT_PROJECT_ID)) return;
  try {
    await store.projects.insert({
      id: DEFAULT_PROJECT_ID,
      object: 'organization.project',
      name: 'Default project',
      created_at: nowSeconds(),
      archived_at: null,
      status: 'active',
    });
  } catch (error) {
    // Another node created it at the same moment.
    if (!(await store.projects.find(DEFAULT_PROJECT_ID))) throw error;
  }
}

export function createProjectsService({ store, onAccessChanged }: ProjectsServiceOptions) {
  async function retrieve(projectId: string): Promise<Project> {
    const project = await store.projects.find(projectId);
    if (!project) throw NotFoundError.object('project', projectId, 'project_id');
    return project;
  }

  return {
    retrieve,

    async create(name: string): Promise<Project> {
      const project: Project = {
        id: newId('project'),
        object: 'organization.project',
        name,
        created_at: nowSeconds(),
        archived_at: null,
        status: 'active',
      };
      await store.projects.insert(project);
      return project;
    },

    async update(projectId: string, name: string): Promise<Project> {
      const project = { ...(await retrieve(projectId)), name };
      await store.projects.update(project);
      return project;
    },

    async archive(projectId: string): Promise<Project> {
      if (projectId === DEFAULT_PROJECT_ID)
        throw new InvalidRequestError('The default project cannot be archived.', 'project_id');
      const current = await retrieve(projectId);
      if (current.status === 'archived') return current;
      const archived: Project = { ...current, archived_at: nowSeconds(), status: 'archived' };
      await store.projects.update(archived);
      onAccessChanged();
      return archived;
    },

    async list(page: PageParams, includeArchived: boolean) {
      const result = await store.projects.list(page);
      return includeArchived
        ? result
        : { ...result, data: result.data.filter((project) => project.status === 'active') };
    },
  };
}

export type ProjectsService = ReturnType<typeof createProjectsService>;
