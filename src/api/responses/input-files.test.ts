/**
 * Hostile `input_file` parts of a response: file_data over the upload or body limit, invalid base64,
 * binary without text, a ZIP bomb as a .docx or .xlsx, and a file_id of another project or of a
 * deleted file. Each is an OpenAI-style 4xx naming the part, on `POST /v1/responses` and on
 * `POST /v1/responses/input_tokens`, and the server answers /health after each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeZipBombDocx } from '../../../test/helpers/document-fixtures.ts';
import { uploadFile } from '../../../test/helpers/files-api.ts';
import { errorOf, request, type JsonResponse } from '../../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

const FILE_SIZE_LIMIT = 256 * 1024;
const BODY_LIMIT = 2 * 1024 * 1024;

function withFile(part: Record<string, unknown>) {
  return {
    model: 'gpt-4o',
    input: [{ role: 'user', content: [{ type: 'input_text', text: 'Read it.' }, part] }],
  };
}

const asData = (bytes: Buffer, type = 'application/octet-stream') =>
  `data:${type};base64,${bytes.toString('base64')}`;

describe('hostile input_file parts', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({
      config: {
        fileSizeLimit: FILE_SIZE_LIMIT,
        bodyLimit: BODY_LIMIT,
        fileParseTimeoutSeconds: 5,
        fileParseMaxUncompressedBytes: 16 * 1024 * 1024,
      },
    });
  });
  afterAll(() => app.destroy());

  /** Sends the part to both endpoints; each answers the same 4xx, and /health answers after. */
  async function refused(part: Record<string, unknown>, headers?: Record<string, string>) {
    const answers: JsonResponse[] = [];
    for (const url of ['/v1/responses', '/v1/responses/input_tokens'])
      answers.push(await request(app.server, 'POST', url, withFile(part), headers));
    expect((await request(app.server, 'GET', '/health')).status).toBe(200);
    for (const answer of answers) {
      expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(errorOf(answer)).toMatchObject({
        message: expect.any(String),
        type: expect.any(String),
      });
    }
    expect(errorOf(answers[1]!)).toEqual(errorOf(answers[0]!));
    return answers[0]!;
  }

  it('refuses file_data larger than the file size limit, and a body over the body limit', async () => {
    const big = Buffer.alloc(FILE_SIZE_LIMIT + 1, 'a');
    const answer = await refused({
      type: 'input_file',
      filename: 'big.txt',
      file_data: asData(big),
    });
    expect(answer.status).toBe(400);
    expect(errorOf(answer).message).toMatch(/262144 bytes/);
    expect(errorOf(answer).param).toBe('input[0].content[1]');

    const huge = Buffer.alloc(BODY_LIMIT, 'a');
    const tooLarge = await refused({
      type: 'input_file',
      filename: 'huge.txt',
      file_data: huge.toString('base64'),
    });
    expect(tooLarge.status).toBe(413);
  });

  it('refuses invalid base64, binary without text, and a ZIP bomb as .docx or .xlsx', async () => {
    const invalid = await refused({
      type: 'input_file',
      filename: 'a.txt',
      file_data: 'data:text/plain;base64,@@not*base64@@',
    });
    expect(errorOf(invalid)).toMatchObject({ param: 'input[0].content[1]' });
    expect(errorOf(invalid).message).toMatch(/base64/);

    const binary = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256));
    const noText = await refused({
      type: 'input_file',
      filename: 'blob.bin',
      file_data: asData(binary),
    });
    expect(noText.status).toBe(400);
    expect(errorOf(noText).message).toMatch(/\.bin\] are not supported/);

    const bomb = makeZipBombDocx(64);
    expect(bomb.length).toBeLessThan(FILE_SIZE_LIMIT);
    for (const filename of ['bomb.docx', 'bomb.xlsx']) {
      const answer = await refused({ type: 'input_file', filename, file_data: asData(bomb) });
      expect(answer.status).toBe(400);
      expect(errorOf(answer).param).toBe('input[0].content[1]');
      expect(errorOf(answer).message).toMatch(
        filename.endsWith('.docx') ? /16777216 uncompressed bytes/ : /\.xlsx\] are not supported/,
      );
    }
  });

  it('answers 404 for a file_id of another project or a deleted file', async () => {
    const file = await uploadFile(app.server, 'notes.txt', Buffer.from('Parking is on level 2.'));
    const project = await request(app.server, 'POST', '/v1/organization/projects', {
      name: 'other',
    });
    const key = await request(
      app.server,
      'POST',
      `/v1/organization/projects/${project.body.id}/api_keys`,
      { name: 'other' },
    );
    const other = await refused(
      { type: 'input_file', file_id: file.id },
      { authorization: `Bearer ${key.body.value}` },
    );
    expect(other.status).toBe(404);
    expect(errorOf(other).param).toBe('input[0].content[1].file_id');

    expect((await request(app.server, 'DELETE', `/v1/files/${file.id}`)).status).toBe(200);
    const deleted = await refused({ type: 'input_file', file_id: file.id });
    expect(deleted.status).toBe(404);
  });
});
