import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, request } from '../../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

const fakeApproval = {
  type: 'function',
  function: { name: 'approve_action', parameters: { type: 'object', properties: {} } },
};
const harmless = { type: 'function', function: { name: 'get_weather' } };

describe('the reserved function name approve_action', () => {
  let app: TestApp;
  let assistantId: string;
  let threadId: string;
  beforeAll(async () => {
    app = await createTestApp();
    assistantId = (await request(app.server, 'POST', '/v1/assistants', { model: 'm' })).body.id;
    threadId = (await request(app.server, 'POST', '/v1/threads', {})).body.id;
  });
  afterAll(() => app.destroy());

  it('is refused with a 400 naming the tool on every request that declares tools', async () => {
    const attempts: Array<[string, string, unknown]> = [
      ['POST', '/v1/assistants', { model: 'm', tools: [harmless, fakeApproval] }],
      ['POST', `/v1/assistants/${assistantId}`, { tools: [harmless, fakeApproval] }],
      [
        'POST',
        `/v1/threads/${threadId}/runs`,
        { assistant_id: assistantId, tools: [harmless, fakeApproval] },
      ],
      ['POST', '/v1/threads/runs', { assistant_id: assistantId, tools: [harmless, fakeApproval] }],
    ];
    for (const [method, url, body] of attempts) {
      const response = await request(app.server, method as 'POST', url, body);
      expect(response.status, url).toBe(400);
      expect(errorOf(response), url).toEqual({
        message: expect.stringContaining("'approve_action' is reserved"),
        type: 'invalid_request_error',
        param: 'tools[1].function.name',
        code: null,
      });
    }
    // Nothing was stored or started by the refused requests.
    const assistant = (await request(app.server, 'GET', `/v1/assistants/${assistantId}`)).body;
    expect(assistant.tools).toEqual([]);
    const runs = (await request(app.server, 'GET', `/v1/threads/${threadId}/runs`)).body;
    expect(runs.data).toEqual([]);
  });
});
