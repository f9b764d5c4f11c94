import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDocx, makePdf } from '../../../test/helpers/document-fixtures.ts';
import { uploadFile, waitForVectorStore } from '../../../test/helpers/files-api.ts';
import { errorOf, request } from '../../../test/helpers/inject.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/test-app.ts';

const ids = (response: { body: { data: Array<{ file_id: string }> } }) =>
  response.body.data.map((item) => item.file_id).sort();

describe('/v1/vector_stores (keyword-only, worker running)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.destroy());

  it('creates a store from files of every supported format, indexes them, and reports it', async () => {
    const files = [
      await uploadFile(app.server, 'refunds.txt', 'Refunds are paid within 30 days of the return.'),
      await uploadFile(
        app.server,
        'shipping.md',
        '# Shipping\n\nParcels ship by courier within five business days.',
      ),
      await uploadFile(
        app.server,
        'warranty.html',
        '<html><head><style>p{}</style></head><body><p>The warranty lasts two years &amp; covers defects.</p><script>var x=1</script></body></html>',
      ),
      await uploadFile(
        app.server,
        'catalog.pdf',
        makePdf(['The catalog lists lanterns.', 'Lanterns run on solar power.']),
      ),
      await uploadFile(
        app.server,
        'contract.docx',
        makeDocx(['The contract renews every January.']),
      ),
      await uploadFile(app.server, 'prices.csv', 'item,price\nlantern,25\ntent,120\n'),
      await uploadFile(app.server, 'config.json', '{"region": "antarctica", "retries": 3}'),
      await uploadFile(app.server, 'script.py', 'def greet(name):\n    return f"hello {name}"\n'),
    ];
    const created = await request(app.server, 'POST', '/v1/vector_stores', {
      name: 'Handbook',
      file_ids: files.map((file) => file.id),
      metadata: { team: 'support' },
      expires_after: { anchor: 'last_active_at', days: 7 },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^vs_/),
      object: 'vector_store',
      name: 'Handbook',
      metadata: { team: 'support' },
      expires_after: { anchor: 'last_active_at', days: 7 },
      file_counts: { total: 8 },
    });
    const done = await waitForVectorStore(app.server, created.body.id);
    expect(done).toMatchObject({
      status: 'completed',
      file_counts: { in_progress: 0, completed: 8, failed: 0, cancelled: 0, total: 8 },
    });
    expect(done.usage_bytes).toBeGreaterThan(0);
    expect(done.expires_at).toBe(done.last_active_at + 7 * 86_400);

    for (const [query, filename] of [
      ['how long do refunds take', 'refunds.txt'],
      ['courier parcels', 'shipping.md'],
      ['warranty defects', 'warranty.html'],
      ['solar lanterns', 'catalog.pdf'],
      ['contract renewal january', 'contract.docx'],
      ['tent price', 'prices.csv'],
      ['antarctica region', 'config.json'],
      ['greet function', 'script.py'],
    ]) {
      const search = await request(
        app.server,
        'POST',
        `/v1/vector_stores/${created.body.id}/search`,
        { query },
      );
      expect(search.status).toBe(200);
      expect(search.body.object).toBe('vector_store.search_results.page');
      expect({ query, filename: search.body.data[0]?.filename }).toEqual({ query, filename });
    }
    const html = await request(
      app.server,
      'GET',
      `/v1/vector_stores/${created.body.id}/files/${files[2]!.id}/content`,
    );
    expect(html.body).toEqual({
      object: 'vector_store.file_content.page',
      data: [{ type: 'text', text: 'The warranty lasts two years & covers defects.' }],
      has_more: false,
      next_page: null,
    });
  });

  it('searches with filters, limits, thresholds and query rewriting', async () => {
    const a = await uploadFile(app.server, 'a.txt', 'Quarterly revenue grew in Europe.');
    const b = await uploadFile(app.server, 'b.txt', 'Quarterly revenue fell in Asia.');
    const c = await uploadFile(app.server, 'c.txt', 'Quarterly revenue was flat in America.');
    const store = (await request(app.server, 'POST', '/v1/vector_stores', {})).body;
    const batch = await request(app.server, 'POST', `/v1/vector_stores/${store.id}/file_batches`, {
      files: [
        { file_id: a.id, attributes: { region: 'eu', year: 2024, public: true } },
        { file_id: b.id, attributes: { region: 'asia', year: 2023, public: false } },
        { file_id: c.id, attributes: { region: 'us', year: 2022, public: true } },
      ],
    });
    expect(batch.status).toBe(200);
    await waitForVectorStore(app.server, store.id);
    const search = (body: object) =>
      request(app.server, 'POST', `/v1/vector_stores/${store.id}/search`, body);

    expect(ids(await search({ query: 'quarterly revenue' }))).toEqual([a.id, b.id, c.id].sort());
    expect(
      ids(
        await search({
          query: 'quarterly revenue',
          filters: { type: 'eq', key: 'region', value: 'eu' },
        }),
      ),
    ).toEqual([a.id]);
    expect(
      ids(
        await search({
          query: 'quarterly revenue',
          filters: { type: 'gte', key: 'year', value: 2023 },
        }),
      ),
    ).toEqual([a.id, b.id].sort());
    expect(
      ids(
        await search({
          query: 'quarterly revenue',
          filters: { type: 'in', key: 'region', value: ['us', 'asia'] },
        }),
      ),
    ).toEqual([b.id, c.id].sort());
    expect(
      ids(
        await search({
          query: 'quarterly revenue',
          filters: {
            type: 'and',
            filters: [
              { type: 'eq', key: 'public', value: true },
              { type: 'lt', key: 'year', value: 2024 },
            ],
          },
        }),
      ),
    ).toEqual([c.id]);
    expect(
      ids(
        await search({
          query: 'quarterly revenue',
          filters: { type: 'eq', key: 'missing', value: 'x' },
        }),
      ),
    ).toEqual([]);

    const limited = await search({ query: 'revenue', max_num_results: 2 });
    expect(limited.body.data).toHaveLength(2);
    for (const item of limited.body.data) {
      expect(item.score).toBeGreaterThan(0);
      expect(item.score).toBeLessThanOrEqual(1);
      expect(item.content[0].type).toBe('text');
      expect(item.attributes).toHaveProperty('region');
    }
    expect(limited.body.data[0].score).toBe(1);
    // Scores are fused per list (best 1): only the one chunk that matches both words reaches 0.999.
    const strict = await search({
      query: 'revenue europe',
      ranking_options: { score_threshold: 0.999 },
    });
    expect(ids(strict)).toEqual([a.id]);

    const rewritten = await search({ query: 'What was the revenue in Asia?', rewrite_query: true });
    expect(rewritten.body.search_query).toEqual(['revenue asia']);
    expect(rewritten.body.data[0].file_id).toBe(b.id);
    const plain = await search({ query: ['europe', 'asia'] });
    expect(plain.body.search_query).toEqual(['europe', 'asia']);
    expect(ids(plain)).toEqual([a.id, b.id].sort());
  });

  it.each([
    [
      'an unknown filter type',
      { query: 'x', filters: { type: 'like', key: 'a', value: 'b' } },
      'filters.type',
    ],
    ['max_num_results of 51', { query: 'x', max_num_results: 51 }, 'max_num_results'],
    ['an empty query', { query: '' }, 'query'],
    [
      'an unknown ranker',
      { query: 'x', ranking_options: { ranker: 'best' } },
      'ranking_options.ranker',
    ],
  ])('rejects a search with %s', async (_label, body, param) => {
    const store = (await request(app.server, 'POST', '/v1/vector_stores', {})).body;
    const response = await request(
      app.server,
      'POST',
      `/v1/vector_stores/${store.id}/search`,
      body,
    );
    expect(response.status).toBe(400);
    expect(errorOf(response).param).toBe(param);
  });

  it('answers 404 naming the id for unknown files and stores, and creates nothing', async () => {
    const before = (await request(app.server, 'GET', '/v1/vector_stores?limit=100')).body.data
      .length;
    const missingFile = await request(app.server, 'POST', '/v1/vector_stores', {
      file_ids: ['file-doesnotexist'],
    });
    expect(missingFile.status).toBe(404);
    expect(errorOf(missingFile)).toEqual({
      message: "No file found with id 'file-doesnotexist'.",
      type: 'invalid_request_error',
      param: 'file_ids',
      code: null,
    });
    expect((await request(app.server, 'GET', '/v1/vector_stores?limit=100')).body.data.length).toBe(
      before,
    );
    const missingStore = await request(app.server, 'GET', '/v1/vector_stores/vs_doesnotexist');
    expect(errorOf(missingStore).message).toBe("No vector store found with id 'vs_doesnotexist'.");
    expect(
      (
        await request(app.server, 'POST', '/v1/vector_stores/vs_doesnotexist/search', {
          query: 'x',
        })
      ).status,
    ).toBe(404);
    const badChunking = await request(app.server, 'POST', '/v1/vector_stores', {
      chunking_strategy: {
        type: 'static',
        static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 150 },
      },
    });
    expect(badChunking.status).toBe(400);
  });

  it('updates, lists and deletes stores', async () => {
    const created = (
      await request(app.server, 'POST', '/v1/vector_stores', { name: 'old', metadata: { a: '1' } })
    ).body;
    expect(created).toMatchObject({
      status: 'completed',
      file_counts: { total: 0 },
      usage_bytes: 0,
      expires_at: null,
    });
    expect(created).not.toHaveProperty('expires_after');
    const updated = await request(app.server, 'POST', `/v1/vector_stores/${created.id}`, {
      name: 'new',
      expires_after: { anchor: 'last_active_at', days: 1 },
    });
    expect(updated.body).toMatchObject({
      name: 'new',
      metadata: { a: '1' },
      expires_after: { anchor: 'last_active_at', days: 1 },
    });
    const cleared = await request(app.server, 'POST', `/v1/vector_stores/${created.id}`, {
      expires_after: null,
      metadata: null,
    });
    expect(cleared.body).toMatchObject({ metadata: {}, expires_at: null });
    const listed = await request(app.server, 'GET', '/v1/vector_stores?limit=1');
    expect(listed.body).toMatchObject({ object: 'list', has_more: true });
    expect(listed.body.data[0].id).toBe(created.id);
    expect((await request(app.server, 'DELETE', `/v1/vector_stores/${created.id}`)).body).toEqual({
      id: created.id,
      object: 'vector_store.deleted',
      deleted: true,
    });
    expect((await request(app.server, 'GET', `/v1/vector_stores/${created.id}`)).status).toBe(404);
  });

  it('expires a store left unused past expires_after: it reads as expired and is no longer searched', async () => {
    const file = await uploadFile(app.server, 'old.txt', 'Archived notes about gramophones.');
    const created = (
      await request(app.server, 'POST', '/v1/vector_stores', {
        file_ids: [file.id],
        expires_after: { anchor: 'last_active_at', days: 1 },
      })
    ).body;
    await waitForVectorStore(app.server, created.id);
    const record = (await app.store.vectorStores.findRecord('proj_default', created.id))!;
    await app.store.vectorStores.update('proj_default', {
      ...record,
      last_active_at: record.last_active_at! - 2 * 86_400,
    });
    expect((await request(app.server, 'GET', `/v1/vector_stores/${created.id}`)).body.status).toBe(
      'expired',
    );
    const search = await request(app.server, 'POST', `/v1/vector_stores/${created.id}/search`, {
      query: 'gramophones',
    });
    expect(search.status).toBe(400);
    expect(errorOf(search).message).toMatch(/has expired/);
    expect(
      await app.fileSearch({
        projectId: 'proj_default',
        vectorStoreIds: [created.id],
        query: 'gramophones',
        maxNumResults: 5,
        scoreThreshold: 0,
      }),
    ).toEqual([]);
  });
});
