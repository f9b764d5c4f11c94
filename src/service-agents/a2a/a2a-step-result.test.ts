import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestA2aServer, type TestA2aServer } from '../../../test/helpers/a2a-server.ts';
import { createA2aClient, type A2aClient } from './a2a-client.ts';
import type { AgentStepResult } from '../builtin-agent.ts';
import { a2aSendInputOf, a2aStepResultOf } from './a2a-step-result.ts';

const signal = () => AbortSignal.timeout(15_000);

/** The result as an answer; fails the test when it is anything else. */
function answerOf(result: AgentStepResult): Extract<AgentStepResult, { kind: 'answer' }> {
  expect(result.kind).toBe('answer');
  return result as Extract<AgentStepResult, { kind: 'answer' }>;
}

describe('remote A2A tasks as service-agent step results', () => {
  let server: TestA2aServer;
  let client: A2aClient;
  beforeAll(async () => {
    server = await startTestA2aServer();
    client = createA2aClient({ allowedHosts: ['127.0.0.1'] });
  });
  afterAll(() => server.stop());

  it('gives the model the answer of a completed task, fenced, with the ids to continue', async () => {
    const update = await client.send(server.url('work'), a2aSendInputOf({ message: 'What is the answer?' }), { signal: signal() });
    const result = answerOf(a2aStepResultOf(update, 'oracle'));
    expect(result.output).toContain('The answer is 42.');
    expect(result.output).toMatch(/untrusted data from a third party/);
    expect(result.data).toEqual({ a2a: { task_id: update.taskId, context_id: update.contextId, state: 'completed' }, results: [{ answer: 42 }] });
  });

  it('tells the model to ask the user when the agent needs input, and the next call answers the same task', async () => {
    const asked = answerOf(a2aStepResultOf(await client.send(server.url('input'), a2aSendInputOf({ message: 'Swap 10 USDC' }), { signal: signal() }), 'swapper'));
    const ids = (asked.data as { a2a: { task_id: string; context_id: string } }).a2a;
    expect(asked.output).toContain(`call swapper again with task_id "${ids.task_id}"`);
    expect(asked.output).toContain('Quote: 0.004 ETH for 10 USDC. Approve?');

    const input = a2aSendInputOf({ message: 'yes', data: { approve: true }, task_id: ids.task_id, context_id: ids.context_id });
    expect(input).toEqual({ text: 'yes', data: { approve: true }, taskId: ids.task_id, contextId: ids.context_id });
    const done = answerOf(a2aStepResultOf(await client.send(server.url('input'), input, { signal: signal() }), 'swapper'));
    expect(done.output).toContain('Swapped 10 USDC for 0.004 ETH.');
  });

  it('reports failed, rejected and auth-required tasks as failures with the reason', async () => {
    const failed = a2aStepResultOf(await client.send(server.url('fail'), { text: 'x' }, { signal: signal() }), 'exchange');
    expect(failed).toMatchObject({ kind: 'failed', output: expect.stringMatching(/^exchange could not do the task\.[\s\S]*The exchange is unavailable\./) });
    const rejected = a2aStepResultOf(await client.send(server.url('reject'), { text: 'x' }, { signal: signal() }), 'exchange');
    expect(rejected).toMatchObject({ kind: 'failed', output: expect.stringMatching(/^exchange declined the task\.[\s\S]*I only do swaps\./) });
    const auth = a2aStepResultOf(await client.send(server.url('auth'), { text: 'x' }, { signal: signal() }), 'exchange');
    expect(auth).toMatchObject({ kind: 'failed', output: expect.stringContaining('credentials that Concierge cannot give it') });
  });
});
