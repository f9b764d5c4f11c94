import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, request } from '../../../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';

const ADMIN = 'admin-key-for-tests';

function as(key: string | undefined, extra: Record<string, string> = {}) {
  return { authorization: key ? `Bearer ${key}` : '', ...extra };
}

describe('projects and API keys (admin key set)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ config: { apiKey: ADMIN } });
  });
  afterAll(() => app.destroy());

  it('requires a key: 401 without one, 401 invalid_api_key for a wrong one', async () => {
    const missing = await request(app.server, 'GET', '/v1/assistants', undefined, as(undefined));
    expect(missing.status).toBe(401);
    expect(errorOf(missing).message).toMatch(/You didn't provide an API key/);
    const wrong = await request(
      app.server,
      'GET',
      '/v1/assistants',
      undefined,
      as('sk-proj-wrongwrongwrong'),
    );
    expect(wrong.status).toBe(401);
    expect(errorOf(wrong).code).toBe('invalid_api_key');
    expect(errorOf(wrong).message).not.toContain('wrongwrongwrong');
  });

  it('creates projects and keys; a key sees only its project', async () => {
    const alpha = (
      await request(app.server, 'POST', '/v1/organization/projects', { name: 'alpha' }, as(ADMIN))
    ).body;
    const beta = (
      await request(app.server, 'POST', '/v1/organization/projects', { name: 'beta' }, as(ADMIN))
    ).body;
    expect(alpha).toEqual({
      id: expect.stringMatching(/^proj_/),
      object: 'organization.project',
      name: 'alpha',
      created_at: expect.any(Number),
      archived_at: null,
      status: 'active',
    });

    const alphaKey = await request(
      app.server,
      'POST',
      `/v1/organization/projects/${alpha.id}/api_keys`,
      { name: 'ci' },
      as(ADMIN),
    );
    expect(alphaKey.body.value).toMatch(/^sk-proj-/);
    expect(alphaKey.body.redacted_value).not.toContain(alphaKey.body.value.slice(10, 40));
    const betaKey = (
      await request(
        app.server,
        'POST',
        `/v1/organization/projects/${beta.id}/api_keys`,
        { name: 'ci' },
        as(ADMIN),
      )
    ).body.value;

    const assistant = (
      await request(app.server, 'POST', '/v1/assistants', { model: 'm' }, as(alphaKey.body.value))
    ).body;
    expect(
      (
        await request(
          app.server,
          'GET',
          `/v1/assistants/${assistant.id}`,
          undefined,
          as(alphaKey.body.value),
        )
      ).status,
    ).toBe(200);
    expect(
      (await request(app.server, 'GET', `/v1/assistants/${assistant.id}`, undefined, as(betaKey)))
        .status,
    ).toBe(404);
    expect(
      (
        await request(
          app.server,
          'DELETE',
          `/v1/assistants/${assistant.id}`,
          undefined,
          as(betaKey),
        )
      ).status,
    ).toBe(404);
    expect(
      (await request(app.server, 'GET', '/v1/assistants', undefined, as(betaKey))).body.data,
    ).toEqual([]);
    // The admin key reaches a project through the OpenAI-Project header.
    expect(
      (
        await request(
          app.server,
          'GET',
          `/v1/assistants/${assistant.id}`,
          undefined,
          as(ADMIN, { 'openai-project': alpha.id }),
        )
      ).status,
    ).toBe(200);
    // A project key may not claim another project.
    expect(
      (
        await request(
          app.server,
          'GET',
          '/v1/assistants',
          undefined,
          as(betaKey, { 'openai-project': alpha.id }),
        )
      ).status,
    ).toBe(401);
    // Project keys cannot use admin endpoints.
    expect(
      (await request(app.server, 'GET', '/v1/organization/projects', undefined, as(betaKey)))
        .status,
    ).toBe(403);

    const listed = (
      await request(
        app.server,
        'GET',
        `/v1/organization/projects/${alpha.id}/api_keys`,
        undefined,
        as(ADMIN),
      )
    ).body;
    expect(listed.data).toHaveLength(1);
    expect(listed.data[0]).not.toHaveProperty('value');
  });

  it('stops a deleted key and the keys of an archived project', async () => {
    const project = (
      await request(app.server, 'POST', '/v1/organization/projects', { name: 'gamma' }, as(ADMIN))
    ).body;
    const key = (
      await request(
        app.server,
        'POST',
        `/v1/organization/projects/${project.id}/api_keys`,
        { name: 'a' },
        as(ADMIN),
      )
    ).body;
    const other = (
      await request(
        app.server,
        'POST',
        `/v1/organization/projects/${project.id}/api_keys`,
        { name: 'b' },
        as(ADMIN),
      )
    ).body;
    expect(
      (await request(app.server, 'GET', '/v1/assistants', undefined, as(key.value))).status,
    ).toBe(200);
    await request(
      app.server,
      'DELETE',
      `/v1/organization/projects/${project.id}/api_keys/${key.id}`,
      undefined,
      as(ADMIN),
    );
    expect(
      (await request(app.server, 'GET', '/v1/assistants', undefined, as(key.value))).status,
    ).toBe(401);
    expect(
      (await request(app.server, 'GET', '/v1/assistants', undefined, as(other.value))).status,
    ).toBe(200);
    const archived = await request(
      app.server,
      'POST',
      `/v1/organization/projects/${project.id}/archive`,
      undefined,
      as(ADMIN),
    );
    expect(archived.body.status).toBe('archived');
    expect(
      (await request(app.server, 'GET', '/v1/assistants', undefined, as(other.value))).status,
    ).toBe(401);
  });

  it('stores only the hash of a key', async () => {
    const project = (
      await request(app.server, 'POST', '/v1/organization/projects', { name: 'hash' }, as(ADMIN))
    ).body;
    const key = (
      await request(
        app.server,
        'POST',
        `/v1/organization/projects/${project.id}/api_keys`,
        { name: 'a' },
        as(ADMIN),
      )
    ).body;
    const { createHash } = await import('node:crypto');
    const found = await app.store.apiKeys.findByHash(
      createHash('sha256').update(key.value).digest('hex'),
    );
    expect(found?.key.id).toBe(key.id);
    expect(JSON.stringify(found)).not.toContain(key.value);
  });
});

describe('dev mode (no admin key)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.destroy());

  it('accepts any bearer from loopback and refuses other callers', async () => {
    expect(
      (
        await request(app.server, 'GET', '/v1/assistants', undefined, {
          authorization: 'Bearer anything',
        })
      ).status,
    ).toBe(200);
    const remote = await app.server.inject({
      method: 'GET',
      url: '/v1/assistants',
      remoteAddress: '10.1.2.3',
    });
    expect(remote.statusCode).toBe(403);
    expect(remote.json().error.message).toMatch(/dev mode/);
  });
});
