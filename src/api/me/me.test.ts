import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, request } from '../../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

const ADMIN = 'admin-key-for-tests';

describe('GET /v1/me', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ config: { apiKey: ADMIN } });
  });
  afterAll(() => app.destroy());

  it('names the project and key of a project key, without admin rights', async () => {
    const project = (
      await request(
        app.server,
        'POST',
        '/v1/organization/projects',
        { name: 'alpha' },
        { authorization: `Bearer ${ADMIN}` },
      )
    ).body;
    const key = (
      await request(
        app.server,
        'POST',
        `/v1/organization/projects/${project.id}/api_keys`,
        { name: 'laptop' },
        { authorization: `Bearer ${ADMIN}` },
      )
    ).body;
    const me = await request(app.server, 'GET', '/v1/me', undefined, {
      authorization: `Bearer ${key.value}`,
    });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      object: 'caller',
      project: { id: project.id, name: 'alpha' },
      api_key: { id: key.id, name: 'laptop', redacted_value: key.redacted_value },
      admin: false,
      dev_mode: false,
    });
    expect(JSON.stringify(me.body)).not.toContain(key.value);
  });

  it('names the admin key as admin on the default project, or on the project its OpenAI-Project header picks', async () => {
    const me = await request(app.server, 'GET', '/v1/me', undefined, {
      authorization: `Bearer ${ADMIN}`,
    });
    expect(me.body).toMatchObject({
      project: { id: 'proj_default' },
      api_key: null,
      admin: true,
      dev_mode: false,
    });
    const other = (
      await request(
        app.server,
        'POST',
        '/v1/organization/projects',
        { name: 'beta' },
        { authorization: `Bearer ${ADMIN}` },
      )
    ).body;
    const switched = await request(app.server, 'GET', '/v1/me', undefined, {
      authorization: `Bearer ${ADMIN}`,
      'openai-project': other.id,
    });
    expect(switched.body.project).toEqual({ id: other.id, name: 'beta' });
  });

  it('refuses a wrong key with the usual 401', async () => {
    const me = await request(app.server, 'GET', '/v1/me', undefined, {
      authorization: 'Bearer sk-wrong-key-123',
    });
    expect(me.status).toBe(401);
    expect(errorOf(me).code).toBe('invalid_api_key');
  });

  it('reports dev mode, with or without a bearer, when the server has no admin key', async () => {
    const dev = await createTestApp();
    try {
      const anonymous = await dev.server.inject({
        method: 'GET',
        url: '/v1/me',
        remoteAddress: '127.0.0.1',
      });
      expect(anonymous.json()).toMatchObject({
        project: { id: 'proj_default' },
        admin: true,
        dev_mode: true,
      });
      expect((await request(dev.server, 'GET', '/v1/me')).body.dev_mode).toBe(true);
    } finally {
      await dev.destroy();
    }
  });
});
