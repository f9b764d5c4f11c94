/**
 * code_interpreter inside runs, on the real bwrap sandbox: the model's Python reads the run's files,
 * makes a chart and a CSV; the step shows input, logs and the image; the message shows the image and
 * links the CSV; the session keeps its variables across runs of the thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { createLocalDiskBlobStore } from '../../src/blobs/local-disk/local-disk-blob-store.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';
import { bwrapAvailable } from '../helpers/sandbox.ts';

const CHART_CODE = `
import pandas as pd
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
sales = pd.read_csv("/mnt/data/sales.csv")
total = int(sales["units"].sum())
print("total units:", total)
sales.plot(x="month", y="units", kind="bar")
plt.savefig("/mnt/data/chart.png")
sales.assign(double=sales["units"] * 2).to_csv("/mnt/data/summary.csv", index=False)
`;

describe.runIf(bwrapAvailable)('code_interpreter in runs (bwrap sandbox)', () => {
  let bed: RunTestBed;
  // The app's blob store, so a test can lose a file's bytes as an emptied bucket would.
  const blobDirectory = mkdtempSync(join(tmpdir(), 'concierge-ci-blobs-'));
  const blobs = createLocalDiskBlobStore(blobDirectory);
  let assistantId: string;
  const poll = { pollIntervalMs: 50 };

  beforeAll(async () => {
    bed = await createRunTestBed({ config: { codeSandbox: 'bwrap' }, overrides: { blobs } });
    const data = await bed.client.files.create({
      file: await toFile(Buffer.from('month,units\njan,3\nfeb,5\nmar,4\n'), 'sales.csv'),
      purpose: 'assistants',
    });
    assistantId = (
      await bed.client.beta.assistants.create({
        model: 'gpt-4o',
        tools: [{ type: 'code_interpreter' }],
        tool_resources: { code_interpreter: { file_ids: [data.id] } },
      })
    ).id;
  });
  /** Uploads a text file for runs to read; its id. */
  const uploadText = async (name: string, text: string) =>
    (
      await bed.client.files.create({
        file: await toFile(Buffer.from(text), name),
        purpose: 'assistants',
      })
    ).id;

  /** Runs the thread, the model running `code` and then answering: the run and the tool output it read. */
  async function runCode(threadId: string, code: string) {
    bed.upstream.enqueue(
      { toolCalls: [{ name: 'code_interpreter', arguments: { code } }] },
      { text: 'Done.' },
    );
    const run = await bed.client.beta.threads.runs.createAndPoll(
      threadId,
      { assistant_id: assistantId },
      poll,
    );
    const tool = bed.upstream.lastRequest.messages.find((message: any) => message.role === 'tool');
    return { run, output: tool.content as string };
  }

  afterAll(async () => {
    await bed?.close();
    rmSync(blobDirectory, { recursive: true, force: true });
  });

  it('runs the code, shows logs and the chart, and links the written file', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Chart the sales, please.' }],
    });
    bed.upstream.enqueue(
      { toolCalls: [{ name: 'code_interpreter', arguments: { code: CHART_CODE }, id: 'call_py' }] },
      { text: 'Here is the chart. The table is at sandbox:/mnt/data/summary.csv' },
    );
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId },
      poll,
    );
    expect(run.status).toBe('completed');
    expect(bed.upstream.requests.at(-2)!.body.tools[0].function.description).toContain(
      '/mnt/data/sales.csv',
    );

    const steps = await bed.client.beta.threads.runs.steps.list(run.id, {
      thread_id: thread.id,
      order: 'asc',
    });
    const call = (steps.data[0]!.step_details as any).tool_calls[0];
    expect(call.type).toBe('code_interpreter');
    expect(call.code_interpreter.input).toBe(CHART_CODE);
    expect(call.code_interpreter.outputs[0]).toEqual({ type: 'logs', logs: 'total units: 12\n' });
    const image = call.code_interpreter.outputs.find((output: any) => output.type === 'image');
    expect(image.image.file_id).toMatch(/^file-/);
    expect(
      bed.upstream.lastRequest.messages.find((message: any) => message.role === 'tool').content,
    ).toContain('total units: 12');

    const answer = (await bed.client.beta.threads.messages.list(thread.id, { run_id: run.id }))
      .data[0]!;
    expect(answer.content[1]).toEqual({
      type: 'image_file',
      image_file: { file_id: image.image.file_id },
    });
    const text = (answer.content[0] as OpenAI.Beta.Threads.TextContentBlock).text;
    const link = text.annotations[0] as OpenAI.Beta.Threads.FilePathAnnotation;
    expect(link).toMatchObject({ type: 'file_path', text: 'sandbox:/mnt/data/summary.csv' });
    expect(text.value.slice(link.start_index, link.end_index)).toBe(
      'sandbox:/mnt/data/summary.csv',
    );

    const chart = await bed.client.files.retrieve(image.image.file_id);
    expect(chart).toMatchObject({ purpose: 'assistants_output', filename: 'chart.png' });
    const png = Buffer.from(
      await (await bed.client.files.content(image.image.file_id)).arrayBuffer(),
    );
    expect(png.subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    const csv = await (await bed.client.files.content(link.file_path.file_id)).text();
    expect(csv).toBe('month,units,double\njan,3,6\nfeb,5,10\nmar,4,8\n');
  });

  it('keeps the session’s variables across runs of the same thread, and reports errors to the model', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Remember a number.' }],
    });
    bed.upstream.enqueue(
      { toolCalls: [{ name: 'code_interpreter', arguments: { code: 'secret = 41' } }] },
      { text: 'Stored.' },
    );
    expect(
      (
        await bed.client.beta.threads.runs.createAndPoll(
          thread.id,
          { assistant_id: assistantId },
          poll,
        )
      ).status,
    ).toBe('completed');
    await bed.client.beta.threads.messages.create(thread.id, { role: 'user', content: 'Add one.' });
    const { run, output } = await runCode(thread.id, 'print(secret + 1)\n1/0');
    expect(run.status).toBe('completed');
    expect(output).toContain('42');
    expect(output).toContain('ZeroDivisionError');
  });

  it('shows a figure saved and then shown as one image', async () => {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: 'Plot a line.' }],
    });
    const code = [
      'import matplotlib.pyplot as plt',
      'plt.plot([1, 2, 3], [2, 4, 3])',
      'plt.savefig("/mnt/data/line.png")',
      'plt.show()',
    ].join('\n');
    bed.upstream.enqueue(
      { toolCalls: [{ name: 'code_interpreter', arguments: { code } }] },
      { text: 'Here it is.' },
    );
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId },
      poll,
    );
    expect(run.status).toBe('completed');
    const steps = await bed.client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id });
    const call = (steps.data.at(-1)!.step_details as any).tool_calls[0];
    const images = call.code_interpreter.outputs.filter((output: any) => output.type === 'image');
    expect(images).toHaveLength(1);
    expect((await bed.client.files.retrieve(images[0].image.file_id)).filename).toBe('line.png');
    const answer = (await bed.client.beta.threads.messages.list(thread.id, { run_id: run.id }))
      .data[0]!;
    expect(answer.content.filter((part) => part.type === 'image_file')).toHaveLength(1);
  });

  it('runs code on a thread whose attachments have hostile names (.bashrc, paths, duplicates)', async () => {
    const ids = [
      await uploadText('.bashrc', 'export EVIL=1\n'),
      await uploadText('../../notes.txt', 'first\n'),
      await uploadText('notes.txt', 'second\n'),
    ];
    const thread = await bed.client.beta.threads.create({
      messages: [
        {
          role: 'user',
          content: 'What files do I have?',
          attachments: ids.map((file_id) => ({ file_id, tools: [{ type: 'code_interpreter' }] })),
        },
      ],
    });
    const { run, output } = await runCode(
      thread.id,
      'import os\nsorted((n, open(n).read()) for n in os.listdir("/mnt/data"))',
    );
    expect(run.status).toBe('completed');
    expect(output).toContain("('bashrc', 'export EVIL=1\\n')");
    expect(output).toContain("('notes.txt', 'first\\n')");
    expect(output).toContain(`('${ids[2]}-notes.txt', 'second\\n')`);
    expect(output).not.toContain('Error');
  });

  it('runs code without an attachment whose bytes are lost, and its logs say which and why', async () => {
    const kept = await uploadText('kept.txt', 'still here\n');
    const lost = await uploadText('lost.txt', 'gone\n');
    await blobs.delete(lost);
    const thread = await bed.client.beta.threads.create({
      messages: [
        {
          role: 'user',
          content: 'Read my files.',
          attachments: [kept, lost].map((file_id) => ({
            file_id,
            tools: [{ type: 'code_interpreter' }],
          })),
        },
      ],
    });
    const { run, output } = await runCode(
      thread.id,
      'import os\nprint(sorted(n for n in os.listdir("/mnt/data") if n.endswith(".txt")))',
    );
    expect(run.status).toBe('completed');
    expect(output).toContain(
      `[lost.txt is not in the sandbox: The content of file '${lost}' is missing from storage; delete the file and upload it again.]`,
    );
    expect(output).toContain("['kept.txt']");
  });
});
