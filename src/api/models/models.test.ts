import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../../test/helpers/inject.ts';
import {
  createListeningTestApp,
  createTestApp,
  type TestApp,
} from '../../../test/helpers/test-app.ts';

describe('GET /v1/models', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({
      config: {
        providers: {
          default: { type: 'openai-compatible', models: ['gpt-4o', 'gpt-4o-mini'] },
          ollama: {
            type: 'openai-compatible',
            baseURL: 'http://127.0.0.1:11434/v1',
            models: ['llama3.2', 'llama3.2'],
          },
          claude: { type: 'anthropic' },
        },
      },
    });
  });
  afterAll(() => app.destroy());

  it("lists each configured model once, named as a run must name it, in OpenAI's list shape", async () => {
    const response = await request(app.server, 'GET', '/v1/models');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      object: 'list',
      data: [
        { id: 'gpt-4o', object: 'model', created: expect.any(Number), owned_by: 'default' },
        { id: 'gpt-4o-mini', object: 'model', created: expect.any(Number), owned_by: 'default' },
        { id: 'ollama/llama3.2', object: 'model', created: expect.any(Number), owned_by: 'ollama' },
      ],
    });
  });

  it('is an empty list when no provider names its models', async () => {
    const bare = await createTestApp();
    try {
      expect((await request(bare.server, 'GET', '/v1/models')).body).toEqual({
        object: 'list',
        data: [],
      });
    } finally {
      await bare.destroy();
    }
  });

  it('reads through the official SDK, and needs a key when the server has an admin key', async () => {
    const { app: guarded, baseURL } = await createListeningTestApp({
      config: { apiKey: 'admin-key-for-tests', providers: { default: { models: ['gpt-4o'] } } },
    });
    try {
      const client = new OpenAI({ baseURL, apiKey: 'admin-key-for-tests', maxRetries: 0 });
      const models = [];
      for await (const model of client.models.list()) models.push(model.id);
      expect(models).toEqual(['gpt-4o']);
      const anonymous = new OpenAI({ baseURL, apiKey: 'wrong-key', maxRetries: 0 });
      await expect(anonymous.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    } finally {
      await guarded.destroy();
    }
  });
});
