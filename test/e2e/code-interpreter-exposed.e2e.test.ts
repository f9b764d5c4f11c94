/**
 * An exposed server (CONCIERGE_API_KEY set) on a host without the bwrap sandbox: code_interpreter
 * must not silently run model code in Pyodide, which is no security boundary. Runs that use the
 * tool fail with an error that tells the operator what to do; other runs are unaffected.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/tools/code-interpreter/sandbox.ts';
import { SandboxUnavailableError } from '../../src/tools/code-interpreter/sandbox-unavailable-error.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';

const ADMIN_KEY = 'sk-admin-exposed-sandbox-test';

describe('code_interpreter on an exposed server without bwrap', () => {
  let bed: RunTestBed;
  let client: OpenAI;
  let pyodideStarts = 0;

  beforeAll(async () => {
    bed = await createRunTestBed({
      config: { apiKey: ADMIN_KEY, codeSandbox: 'auto' },
      overrides: {
        codeSandboxBackends: {
          bwrap: () => Promise.reject(new SandboxUnavailableError('bwrap is not installed')),
          pyodide: (options) => {
            pyodideStarts++;
            return Promise.resolve({
              kind: 'pyodide',
              securityBoundary: false,
              missingLibraries: [],
              sessionsDirectory: options.sessionsDirectory,
              openSession: () => Promise.reject(new Error('Pyodide must not run here')),
              close: () => Promise.resolve(),
            } satisfies Sandbox);
          },
        },
      },
    });
    client = new OpenAI({ baseURL: bed.baseURL, apiKey: ADMIN_KEY, maxRetries: 0 });
  });
  afterAll(() => bed?.close());

  it('fails the run with an error naming the fix, and never falls back to Pyodide', async () => {
    const assistant = await client.beta.assistants.create({
      model: 'gpt-4o',
      tools: [{ type: 'code_interpreter' }],
    });
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'Compute 2 + 2 in Python.' }],
    });
    const requestsBefore = bed.upstream.requests.length;
    const run = await client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id },
      { pollIntervalMs: 50 },
    );
    expect(run.status).toBe('failed');
    expect(run.last_error?.code).toBe('server_error');
    expect(run.last_error?.message).toMatch(
      /code_interpreter needs the bwrap sandbox on a server with CONCIERGE_API_KEY set.*bwrap is not installed.*CONCIERGE_CODE_SANDBOX=pyodide/,
    );
    expect(bed.upstream.requests.length).toBe(requestsBefore);
    expect(pyodideStarts).toBe(0);
  });

  it('still runs assistants that do not use code_interpreter', async () => {
    const assistant = await client.beta.assistants.create({ model: 'gpt-4o' });
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'Hello' }],
    });
    bed.upstream.enqueue({ text: 'Hi there' });
    const run = await client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id },
      { pollIntervalMs: 50 },
    );
    expect(run.status).toBe('completed');
  });
});
