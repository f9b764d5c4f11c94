import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, request } from '../../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

describe('model names', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.destroy());

  it.each(['constructor/x', 'toString', 'ollama/__proto__', 'gpt 4o', '/gpt-4o', 'gpt-4o\n'])(
    'refuses %j with a 400 on model, for assistants and runs',
    async (model) => {
      const assistant = await request(app.server, 'POST', '/v1/assistants', { model });
      expect(assistant.status).toBe(400);
      expect(errorOf(assistant)).toMatchObject({ type: 'invalid_request_error', param: 'model' });
      expect(errorOf(assistant).message).toMatch(/not a valid model name/);

      const valid = (await request(app.server, 'POST', '/v1/assistants', { model: 'gpt-4o' })).body;
      const thread = (await request(app.server, 'POST', '/v1/threads', {})).body;
      const run = await request(app.server, 'POST', `/v1/threads/${thread.id}/runs`, {
        assistant_id: valid.id,
        model,
      });
      expect(run.status).toBe(400);
      expect(errorOf(run).param).toBe('model');
      const createAndRun = await request(app.server, 'POST', '/v1/threads/runs', {
        assistant_id: valid.id,
        model,
      });
      expect(createAndRun.status).toBe(400);
      expect(errorOf(createAndRun).param).toBe('model');
      const update = await request(app.server, 'POST', `/v1/assistants/${valid.id}`, { model });
      expect(update.status).toBe(400);
      expect(errorOf(update).param).toBe('model');
    },
  );

  it('accepts the names providers use', async () => {
    for (const model of [
      'gpt-4o-2024-08-06',
      'ft:gpt-4o-mini:my-org::abc123',
      'ollama/llama3.2:latest',
      'meta-llama/Llama-3.1-8B-Instruct',
      'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'constructors/x',
    ]) {
      const response = await request(app.server, 'POST', '/v1/assistants', { model });
      expect(response.status, model).toBe(200);
      expect(response.body.model).toBe(model);
    }
  });
});
