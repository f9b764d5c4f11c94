/**
 * The container a response's code_interpreter runs in: `{type: "auto", file_ids}` creates one with
 * those files (through the containers service), a container id is checked (404 when unknown, 400 once
 * expired). The response's tool then names the container by id, so its `code_interpreter_call` items
 * (and a later read of the response) carry it.
 */
import { InvalidRequestError, NotFoundError } from '../../domain/errors.ts';
import type { Response } from '../../domain/response.ts';
import type { ContainersService } from '../containers/containers.service.ts';

/** Creating or resolving a response's container: what the containers service offers for it. */
export type ResponseContainers = Pick<ContainersService, 'create' | 'use' | 'delete'>;

/** A resolved container, and whether this response made it (dropped again if the response fails). */
export interface ResolvedContainer {
  id: string;
  created: boolean;
}

/** Resolves the container of the response's code_interpreter tool (at most one), in place. */
export async function resolveResponseContainer(
  containers: ResponseContainers,
  projectId: string,
  response: Response,
): Promise<ResolvedContainer | null> {
  const index = response.tools.findIndex((tool) => tool.type === 'code_interpreter');
  if (index === -1) return null;
  const tool = response.tools[index]!;
  if (tool.type !== 'code_interpreter') return null;
  const param = `tools[${index}].container`;
  if (typeof tool.container !== 'string') {
    const fileIds = tool.container.file_ids ?? [];
    const container = await containers
      .create(projectId, {
        name: `response ${response.id}`,
        ...(fileIds.length ? { file_ids: fileIds } : {}),
      })
      .catch((error: unknown) => {
        if (error instanceof NotFoundError)
          throw new NotFoundError(error.message, `${param}.file_ids`);
        throw error;
      });
    response.tools[index] = { type: 'code_interpreter', container: container.id };
    return { id: container.id, created: true };
  }
  const containerId = tool.container;
  try {
    await containers.use(projectId, containerId);
  } catch (error) {
    if (error instanceof NotFoundError) throw NotFoundError.object('container', containerId, param);
    if (error instanceof InvalidRequestError)
      throw new InvalidRequestError(error.message, param, error.code);
    throw error;
  }
  return { id: containerId, created: false };
}
