/**
 * Hostile documents through the API: a DOCX zip bomb and PDFs whose page trees hold 10^6 and 10^8
 * pages fail with a `last_error` naming the cap they hit, while the server keeps answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makePageTreeBombPdf,
  makeZipBombDocx,
} from '../../../../test/helpers/document-fixtures.ts';
import { uploadFile } from '../../../../test/helpers/files-api.ts';
import { request } from '../../../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../../../test/helpers/test-app.ts';
import { waitFor } from '../../../../test/helpers/wait-for.ts';

describe('hostile files', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({
      config: {
        // 10^6 pages pass the page cap, so that PDF is read until the time cap stops it.
        fileParseMaxPdfPages: 1_000_000,
        fileParseTimeoutSeconds: 3,
        fileParseMaxUncompressedBytes: 64 * 1024 * 1024,
      },
    });
  });
  afterAll(() => app.destroy());

  it('fails each hostile file with a cap-naming last_error, and /health answers while one is parsed', async () => {
    const bomb = await uploadFile(app.server, 'bomb.docx', makeZipBombDocx(340));
    const pages = await uploadFile(app.server, 'pages.pdf', makePageTreeBombPdf(8));
    const slow = await uploadFile(app.server, 'slow.pdf', makePageTreeBombPdf(6));
    expect(bomb.bytes).toBeLessThan(1024 * 1024);
    const store = (
      await request(app.server, 'POST', '/v1/vector_stores', {
        file_ids: [bomb.id, pages.id, slow.id],
      })
    ).body;
    const fileOf = async (id: string) =>
      (await request(app.server, 'GET', `/v1/vector_stores/${store.id}/files/${id}`)).body;

    // The server answers while slow.pdf is being parsed: a /health answer is followed by a look at
    // the file that still finds it in progress.
    let answeredDuringParse = false;
    const slowDone = await waitFor(async () => {
      const health = await request(app.server, 'GET', '/health');
      expect(health.status).toBe(200);
      const file = await fileOf(slow.id);
      if (file.status === 'in_progress') answeredDuringParse = true;
      return file.status !== 'in_progress' && file;
    }, 'slow.pdf to end');
    expect(answeredDuringParse).toBe(true);
    expect(slowDone).toMatchObject({
      status: 'failed',
      last_error: {
        code: 'invalid_file',
        message:
          'The file slow.pdf is refused: parsing it took longer than the limit of 3 s per file.',
      },
    });

    await waitFor(
      async () =>
        (await request(app.server, 'GET', `/v1/vector_stores/${store.id}`)).body.file_counts
          .in_progress === 0,
      'every file to end',
    );
    expect(await fileOf(bomb.id)).toMatchObject({
      status: 'failed',
      last_error: {
        code: 'invalid_file',
        message:
          'The file bomb.docx is refused: its ZIP entries claim to expand to more than the limit of 67108864 uncompressed bytes per archive.',
      },
    });
    expect(await fileOf(pages.id)).toMatchObject({
      status: 'failed',
      last_error: {
        code: 'invalid_file',
        message:
          'The file pages.pdf is refused: it has 100000000 pages, more than the limit of 1000000 pages per PDF.',
      },
    });
    // The file content endpoint goes through the same parser and caps.
    const content = await request(
      app.server,
      'GET',
      `/v1/vector_stores/${store.id}/files/${bomb.id}/content`,
    );
    expect(content.status).toBeGreaterThanOrEqual(400);
    expect(content.status).toBeLessThan(500);
    expect(JSON.stringify(content.body)).toMatch(/uncompressed bytes/);
    // Parse workers start slowly on a loaded machine; nothing here asserts a duration.
  }, 120_000);
});
