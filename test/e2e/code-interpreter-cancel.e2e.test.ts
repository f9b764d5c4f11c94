/**
 * Cancelling a run (or a background response, or leaving an unstored one) while its code cell runs:
 * the cell is stopped at once, not at its 120 s limit. Its kernel and everything the cell started
 * end (checked in /proc), the run reaches `cancelled`, the step's logs say the cell was cancelled,
 * and the next cell of the thread runs in a fresh Python session that still has the thread's files.
 * On each sandbox backend.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  descendants,
  leftRunning,
  startedSince,
  type ProcessEntry,
} from '../helpers/process-tree.ts';
import { createRunTestBed, waitForRun, type RunTestBed } from '../helpers/run-test-bed.ts';
import { bwrapAvailable } from '../helpers/sandbox.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** Far below the cell's 120 s limit: a run that ends only at that limit fails here. */
const ENDS_WITHIN_MS = 60_000;
/** Starting a session is not what is tested: Pyodide loads in 3–8 s, slower on a loaded machine. */
const STARTS_WITHIN_MS = 150_000;
const TEST_TIMEOUT_MS = 400_000;

interface Backend {
  name: 'bwrap' | 'pyodide';
  available: boolean;
  /** The command name of the session's kernel process. */
  kernel: string;
  /** Code that marks the cell started (`/mnt/data/started`) and then never ends on its own. */
  endless: Array<{ what: string; code: string }>;
}

/** Written whole, then renamed: the test sees the marker only once its bytes are in it. */
const STARTED = [
  'import os',
  'with open("/mnt/data/starting", "w") as marker:',
  '    marker.write("kept")',
  'os.replace("/mnt/data/starting", "/mnt/data/started")',
  '',
].join('\n');

const backends: Backend[] = [
  {
    name: 'bwrap',
    available: bwrapAvailable,
    kernel: 'python3',
    endless: [
      {
        what: 'a busy loop (with a child process)',
        code: `import subprocess\nhelper = subprocess.Popen(["sleep", "100000"])\n${STARTED}while True:\n    pass\n`,
      },
      { what: 'a long sleep', code: `import time\n${STARTED}time.sleep(10**6)\n` },
    ],
  },
  {
    name: 'pyodide',
    available: true,
    kernel: 'node',
    endless: [
      { what: 'a busy loop', code: `${STARTED}while True:\n    pass\n` },
      { what: 'a long sleep', code: `import time\n${STARTED}time.sleep(10**6)\n` },
    ],
  },
];

for (const backend of backends) {
  describe.runIf(backend.available)(`cancelling a running code cell (${backend.name})`, () => {
    let bed: RunTestBed;
    let assistantId: string;
    const dataDir = mkdtempSync(join(tmpdir(), 'concierge-cancel-cell-'));
    const sessions = join(dataDir, 'sandboxes');

    beforeAll(async () => {
      bed = await createRunTestBed({ config: { codeSandbox: backend.name, dataDir } });
      assistantId = (
        await bed.client.beta.assistants.create({
          model: 'gpt-4o',
          tools: [{ type: 'code_interpreter' }],
        })
      ).id;
    }, 120_000);

    let closed = false;
    afterAll(async () => {
      if (!closed) await bed?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    /** Waits until a cell of session `key` wrote its marker; the processes it runs in. */
    async function runningCell(key: string, before: ProcessEntry[]) {
      await waitFor(
        async () => existsSync(join(sessions, key, 'started')),
        'the cell to start',
        STARTS_WITHIN_MS,
      );
      const running = startedSince(before);
      expect(running.filter((entry) => entry.command === backend.kernel)).toHaveLength(1);
      return running;
    }

    /** Queues a turn that runs an endless cell; the sessions and processes there were before. */
    function queueEndlessResponse() {
      bed.upstream.enqueue({
        toolCalls: [{ name: 'code_interpreter', arguments: { code: backend.endless[0]!.code } }],
      });
      return { keys: new Set(readdirSync(sessions)), before: descendants() };
    }

    /** The key of the session (a response's container) opened after `keys` were listed. */
    const newSession = (keys: Set<string>) =>
      waitFor(
        async () => readdirSync(sessions).find((name) => !keys.has(name)),
        'the response’s session',
        STARTS_WITHIN_MS,
      );

    for (const { what, code } of backend.endless) {
      it(
        `stops ${what} at once; the next cell starts a fresh session with the files kept`,
        async () => {
          const thread = await bed.client.beta.threads.create({
            messages: [{ role: 'user', content: 'Run forever.' }],
          });
          bed.upstream.enqueue({ toolCalls: [{ name: 'code_interpreter', arguments: { code } }] });
          const before = descendants();
          const run = await bed.client.beta.threads.runs.create(thread.id, {
            assistant_id: assistantId,
          });
          const running = await runningCell(thread.id, before);

          await bed.client.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
          const ended = await waitForRun(
            bed.client,
            thread.id,
            run.id,
            (current) => ['cancelled', 'completed', 'failed', 'expired'].includes(current.status),
            ENDS_WITHIN_MS,
          );
          expect(ended.status).toBe('cancelled');
          // The kernel and everything it started are gone, not left running in the background.
          expect(await leftRunning(running, before)).toEqual([]);

          const steps = await bed.client.beta.threads.runs.steps.list(run.id, {
            thread_id: thread.id,
          });
          expect(steps.data).toHaveLength(1);
          expect(steps.data[0]!.status).toBe('cancelled');
          const call = (
            steps.data[0]!.step_details as OpenAI.Beta.Threads.Runs.ToolCallsStepDetails
          ).tool_calls[0] as OpenAI.Beta.Threads.Runs.CodeInterpreterToolCall;
          expect(call.code_interpreter.input).toBe(code);
          const logs = call.code_interpreter.outputs
            .map((output) => (output.type === 'logs' ? output.logs : ''))
            .join('');
          expect(logs).toContain('The cell was cancelled');
          expect(logs).not.toContain('seconds');

          // The thread's next cell runs in a new Python session, with the files of the old one.
          bed.upstream.enqueue(
            {
              toolCalls: [
                {
                  name: 'code_interpreter',
                  arguments: { code: 'print(open("/mnt/data/started").read(), 6 * 7)' },
                },
              ],
            },
            { text: 'Done.' },
          );
          const next = await bed.client.beta.threads.runs.createAndPoll(
            thread.id,
            { assistant_id: assistantId },
            { pollIntervalMs: 50 },
          );
          expect(next.status).toBe('completed');
          const tool = bed.upstream.lastRequest.messages.find(
            (message: any) => message.role === 'tool',
          );
          expect(tool.content).toContain('kept 42');
          expect(tool.content).toContain('variables are gone');
          const kernels = startedSince(before).filter((entry) => entry.command === backend.kernel);
          expect(kernels).toHaveLength(1);
        },
        TEST_TIMEOUT_MS,
      );
    }

    it(
      'stops the cell of a cancelled background response',
      async () => {
        const { keys, before } = queueEndlessResponse();
        const response = await bed.client.responses.create({
          model: 'gpt-4o',
          input: 'Run forever.',
          background: true,
          tools: [{ type: 'code_interpreter', container: { type: 'auto' } }],
        });
        const running = await runningCell(await newSession(keys), before);

        await bed.client.responses.cancel(response.id);
        const ended = await waitFor(
          async () => {
            const current = await bed.client.responses.retrieve(response.id);
            return current.status === 'in_progress' || current.status === 'queued'
              ? undefined
              : current;
          },
          'the response to end',
          ENDS_WITHIN_MS,
        );
        expect(ended.status).toBe('cancelled');
        expect(await leftRunning(running, before)).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'stops the cell of an unstored response whose client went away',
      async () => {
        const { keys, before } = queueEndlessResponse();
        // Not stored: the response (its thread and run) is dropped when its client leaves.
        const client = new AbortController();
        const asked = fetch(`${bed.baseURL}/responses`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'gpt-4o',
            input: 'Run forever.',
            store: false,
            tools: [{ type: 'code_interpreter', container: { type: 'auto' } }],
          }),
          signal: client.signal,
        }).catch(() => undefined);
        const running = await runningCell(await newSession(keys), before);
        client.abort();
        await asked;
        // The worker finds its run gone (at the latest at its next heartbeat, every 10 s) and
        // stops the cell.
        expect(await leftRunning(running, before, ENDS_WITHIN_MS)).toEqual([]);
      },
      TEST_TIMEOUT_MS,
    );

    it('ends every session with the server', async () => {
      closed = true;
      await bed.close();
      expect(descendants()).toEqual([]);
    });
  });
}
