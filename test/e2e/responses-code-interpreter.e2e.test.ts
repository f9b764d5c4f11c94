/**
 * code_interpreter in the Responses API, in a container, on the real bwrap sandbox, through the
 * official SDK: `container: {type: "auto", file_ids}` makes a container holding the files, the code the
 * model runs reads them and writes a file; the `code_interpreter_call` item names the container, and
 * `containers.files` lists and downloads what the code wrote. A container id is used as is (404 when
 * unknown).
 */
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../helpers/databases.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';
import { bwrapAvailable } from '../helpers/sandbox.ts';

const WRITE_CODE = `
rows = open("/mnt/data/sales.csv").read().splitlines()[1:]
total = sum(int(row.split(",")[1]) for row in rows)
open("/mnt/data/total.txt", "w").write(f"total units: {total}\\n")
print("wrote", total)
`;

describe.runIf(bwrapAvailable).each(testDatabases)(
  'code_interpreter in responses (bwrap sandbox, %s)',
  (database) => {
    let bed: RunTestBed;
    let dataId: string;

    beforeAll(async () => {
      bed = await createRunTestBed({ database, config: { codeSandbox: 'bwrap' } });
      const data = await bed.client.files.create({
        file: await toFile(Buffer.from('month,units\njan,3\nfeb,5\nmar,4\n'), 'sales.csv'),
        purpose: 'assistants',
      });
      dataId = data.id;
    });
    afterAll(() => bed.close());

    it('runs code in an auto container with its files; the written file is in the container', async () => {
      bed.upstream.enqueue(
        {
          toolCalls: [{ name: 'code_interpreter', arguments: { code: WRITE_CODE }, id: 'call_py' }],
        },
        { text: 'The total is in total.txt.' },
      );
      const response = await bed.client.responses.create({
        model: 'gpt-4o',
        input: 'Sum the units into a file.',
        tools: [{ type: 'code_interpreter', container: { type: 'auto', file_ids: [dataId] } }],
        include: ['code_interpreter_call.outputs'],
      });
      expect(response.status).toBe('completed');
      const call = response.output.find((item) => item.type === 'code_interpreter_call');
      if (call?.type !== 'code_interpreter_call') throw new Error('no code_interpreter_call item');
      expect(call.code).toBe(WRITE_CODE);
      expect(call.container_id).toMatch(/^cntr_/);
      expect(call.outputs).toEqual([{ type: 'logs', logs: 'wrote 12\n' }]);
      const containerId = call.container_id;

      const container = await bed.client.containers.retrieve(containerId);
      expect(container.status).toBe('running');
      const files = [];
      for await (const file of bed.client.containers.files.list(containerId)) files.push(file);
      expect(files.map((file) => file.path).sort()).toEqual([
        '/mnt/data/sales.csv',
        '/mnt/data/total.txt',
      ]);
      const written = files.find((file) => file.path === '/mnt/data/total.txt')!;
      expect(written.source).not.toBe('user');
      const content = await bed.client.containers.files.content.retrieve(written.id, {
        container_id: containerId,
      });
      expect(await content.text()).toBe('total units: 12\n');

      // A second response in the same container by id sees the file the first one wrote.
      const readCode = 'print(open("/mnt/data/total.txt").read().strip())';
      bed.upstream.enqueue(
        {
          toolCalls: [{ name: 'code_interpreter', arguments: { code: readCode }, id: 'call_read' }],
        },
        { text: 'Read it.' },
      );
      const again = await bed.client.responses.create({
        model: 'gpt-4o',
        input: 'Read the file back.',
        tools: [{ type: 'code_interpreter', container: containerId }],
        include: ['code_interpreter_call.outputs'],
      });
      const second = again.output.find((item) => item.type === 'code_interpreter_call');
      if (second?.type !== 'code_interpreter_call')
        throw new Error('no code_interpreter_call item');
      expect(second.container_id).toBe(containerId);
      expect(second.outputs).toEqual([{ type: 'logs', logs: 'total units: 12\n' }]);
    });

    it('refuses an unknown container id with a 404 naming the tool', async () => {
      const error = await bed.client.responses
        .create({
          model: 'gpt-4o',
          input: 'Hi',
          tools: [{ type: 'code_interpreter', container: 'cntr_unknown' }],
        })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect((error as InstanceType<typeof OpenAI.NotFoundError>).param).toBe('tools[0].container');
    });
  },
);
