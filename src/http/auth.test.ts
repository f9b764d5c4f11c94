import { describe, expect, it, vi } from 'vitest';
import { hashApiKey } from '../domain/api-key-secret.ts';
import { PermissionDeniedError } from '../domain/errors.ts';
import type { Store } from '../storage/store.ts';
import { createAuthenticator } from './auth.ts';
import type { RouteAccess } from './route.ts';

const PROJECT_KEY = 'sk-proj-cached';
const project = { id: 'proj_a', status: 'active' };

function fakeStore() {
  const findByHash = vi.fn<(hash: string) => Promise<unknown>>(async (hash) =>
    hash === hashApiKey(PROJECT_KEY) ? { key: { id: 'key_a' }, project } : undefined,
  );
  const store = {
    apiKeys: { findByHash, touch: async () => {} },
    projects: {
      find: async (id: string) => (id === 'proj_b' ? { id, status: 'active' } : undefined),
    },
  } as unknown as Store;
  return { store, findByHash };
}

const requestWith = (headers: Record<string, string>) => ({
  headers,
  socket: { remoteAddress: '127.0.0.1' },
});

/** What `authenticate` answers (the principal, or the error it throws). */
const settle = (promise: Promise<unknown>) => promise.catch((error: unknown) => error);
/** What `authenticateCached` answers (the principal or undefined, or the error it throws). */
function attempt(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    return error;
  }
}

describe('authenticateCached', () => {
  it('knows a project key without a read once it is cached, and the admin key at once', async () => {
    const { store, findByHash } = fakeStore();
    const authenticator = createAuthenticator({ store, adminKey: 'sk-admin' });
    const request = requestWith({ authorization: `Bearer ${PROJECT_KEY}` });
    expect(authenticator.authenticateCached(request, 'project')).toBeUndefined();
    const principal = await authenticator.authenticate(request, 'project');
    expect(principal).toEqual({ projectId: 'proj_a', admin: false, keyId: 'key_a' });
    expect(authenticator.authenticateCached(request, 'project')).toEqual(principal);
    expect(findByHash).toHaveBeenCalledTimes(1);
    const admin = requestWith({ authorization: 'Bearer sk-admin' });
    expect(authenticator.authenticateCached(admin, 'admin')).toEqual(
      await authenticator.authenticate(admin, 'admin'),
    );
    authenticator.invalidate();
    expect(authenticator.authenticateCached(request, 'project')).toBeUndefined();
  });

  it('throws what authenticate throws, and leaves another project to authenticate', async () => {
    const { store } = fakeStore();
    const authenticator = createAuthenticator({ store, adminKey: 'sk-admin' });
    const cases: Array<[Record<string, string>, RouteAccess]> = [
      [{}, 'project'],
      [{ authorization: 'Bearer sk-unknown' }, 'project'],
      [{ authorization: `Bearer ${PROJECT_KEY}` }, 'admin'],
    ];
    for (const [headers, access] of cases) {
      const request = requestWith(headers);
      const expected = await settle(authenticator.authenticate(request, access));
      expect(expected).toBeInstanceOf(Error);
      expect(attempt(() => authenticator.authenticateCached(request, access))).toEqual(expected);
    }
    // Another project than the key's: authenticate answers (here, its 401).
    const wrongProject = requestWith({
      authorization: `Bearer ${PROJECT_KEY}`,
      'openai-project': 'proj_b',
    });
    expect(authenticator.authenticateCached(wrongProject, 'project')).toBeUndefined();
    expect(await settle(authenticator.authenticate(wrongProject, 'project'))).toMatchObject({
      code: 'invalid_project',
    });
    const otherProject = requestWith({
      authorization: 'Bearer sk-admin',
      'openai-project': 'proj_b',
    });
    expect(authenticator.authenticateCached(otherProject, 'project')).toBeUndefined();
    expect(await authenticator.authenticate(otherProject, 'project')).toMatchObject({
      projectId: 'proj_b',
    });
  });

  it('in dev mode refuses a non-loopback caller as authenticate does', async () => {
    const { store } = fakeStore();
    const authenticator = createAuthenticator({ store, adminKey: undefined });
    const remote = { headers: {}, socket: { remoteAddress: '10.0.0.1' } };
    const expected = await settle(authenticator.authenticate(remote, 'project'));
    expect(expected).toBeInstanceOf(PermissionDeniedError);
    expect(attempt(() => authenticator.authenticateCached(remote, 'project'))).toEqual(expected);
    expect(authenticator.authenticateCached(requestWith({}), 'project')).toEqual({
      projectId: 'proj_default',
      admin: true,
      keyId: null,
    });
  });
});
