/** Projects and their API keys: every stored row belongs to one project. */

export interface Project {
  id: string;
  object: 'organization.project';
  name: string;
  created_at: number;
  archived_at: number | null;
  status: 'active' | 'archived';
}

export interface ApiKey {
  id: string;
  object: 'organization.project.api_key';
  name: string;
  redacted_value: string;
  created_at: number;
  last_used_at: number | null;
  project_id: string;
}

/** The project that dev mode and the admin key use when no `OpenAI-Project` header names another. */
export const DEFAULT_PROJECT_ID = 'proj_default';
