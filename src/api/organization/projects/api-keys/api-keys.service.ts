/** Project API keys (admin only). The secret is shown once, on create; only its hash is stored. */
import { hashApiKey, redactKey } from '../../../../domain/api-key-secret.ts';
import { nowSeconds } from '../../../../domain/clock.ts';
import { InvalidRequestError, NotFoundError } from '../../../../domain/errors.ts';
import { newId, newSecret } from '../../../../domain/ids.ts';
import type { PageParams } from '../../../../domain/list-page.ts';
import type { ApiKey } from '../../../../domain/project.ts';
import type { Store } from '../../../../storage/store.ts';
import type { ProjectsService } from '../projects.service.ts';

export interface ApiKeysServiceOptions {
  store: Store;
  projects: ProjectsService;
  onAccessChanged: () => void;
}

export function createApiKeysService({ store, projects, onAccessChanged }: ApiKeysServiceOptions) {
  async function retrieve(projectId: string, keyId: string): Promise<ApiKey> {
    await projects.retrieve(projectId);
    const key = await store.apiKeys.find(projectId, keyId);
    if (!key) throw NotFoundError.object('API key', keyId, 'key_id');
    return key;
  }

  return {
    retrieve,

    async create(projectId: string, name: string): Promise<ApiKey & { value: string }> {
      const project = await projects.retrieve(projectId);
      if (project.status !== 'active')
        throw new InvalidRequestError('Archived projects cannot get new keys.', 'project_id');
      const value = `sk-proj-${newSecret(48)}`;
      const key: ApiKey = {
        id: newId('apiKey'),
        object: 'organization.project.api_key',
        name,
        redacted_value: redactKey(value),
        created_at: nowSeconds(),
        last_used_at: null,
        project_id: projectId,
      };
      await store.apiKeys.insert(key, hashApiKey(value));
      return { ...key, value };
    },

    async list(projectId: string, page: PageParams) {
      await projects.retrieve(projectId);
      return store.apiKeys.list(projectId, page);
    },

    async delete(projectId: string, keyId: string) {
      await retrieve(projectId, keyId);
      await store.apiKeys.delete(projectId, keyId);
      onAccessChanged();
      return { id: keyId, object: 'organization.project.api_key.deleted' as const, deleted: true };
    },
  };
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>;
