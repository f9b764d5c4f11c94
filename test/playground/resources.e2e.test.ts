/**
 * The playground's other screens in headless Chromium against the real server: signing in with a key,
 * files and vector stores (upload, index, search), the API reference, and how runs and messages show
 * what server-side tools produce: code and logs, images, file_search results with scores, service-agent
 * child runs, citations linked to their sources.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../src/domain/message.ts';
import type { RunStep } from '../../src/domain/run.ts';
import { newId } from '../../src/domain/ids.ts';
import { DEFAULT_PROJECT_ID } from '../../src/domain/project.ts';
import {
  accessibilityViolations,
  browserTestsEnabled,
  launchBrowser,
  openPlayground,
  saveScreenshot,
  type PlaygroundPage,
} from '../helpers/browser.ts';
import { makeBarChartPng } from '../helpers/png.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';
import { createListeningTestApp } from '../helpers/test-app.ts';

const ADMIN = 'admin-key-for-playground-tests';

/** How long a poll waits for the page to catch up (the machine may be busy with other suites). */
const PATIENCE = { timeout: 15_000 };

describe.runIf(browserTestsEnabled)(
  'playground: sign-in, files, vector stores, reference, server-side tool output',
  { timeout: 90_000 },
  () => {
    let bed: RunTestBed;
    let browser: Browser;
    let ui: PlaygroundPage;
    let page: Page;
    let scratch: string;
    const opened: PlaygroundPage[] = [];

    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), 'playground-screens-'));
      bed = await createRunTestBed({
        config: {
          prices: {
            'usage-model': { input_usd_per_million_tokens: 1, output_usd_per_million_tokens: 10 },
          },
          usagePrices: { stored_usd_per_gb_day: 0.1 },
        },
      });
      browser = await launchBrowser();
      ui = await openPlayground(browser, bed.baseURL.replace(/\/v1$/, ''));
      opened.push(ui);
      page = ui.page;
    });
    afterAll(async () => {
      for (const each of opened) await each.context.close();
      await browser?.close();
      await bed?.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    async function expectAccessible(on: Page = page): Promise<void> {
      expect(await accessibilityViolations(on)).toEqual([]);
    }

    it('asks for a key when the server has an admin key, refuses a wrong one, and shows the project key in use', async () => {
      const { app, baseURL } = await createListeningTestApp({ config: { apiKey: ADMIN } });
      try {
        const admin = new OpenAI({ baseURL, apiKey: ADMIN, maxRetries: 0 });
        const project = await admin.post<{ id: string }>('/organization/projects', {
          body: { name: 'alpha' },
        });
        const key = await admin.post<{ value: string; redacted_value: string }>(
          `/organization/projects/${project.id}/api_keys`,
          { body: { name: 'laptop' } },
        );
        const guarded = await openPlayground(browser, baseURL.replace(/\/v1$/, ''));
        opened.push(guarded);
        await guarded.page.goto('/');
        await guarded.page.getByRole('heading', { name: 'Concierge playground' }).waitFor();
        await saveScreenshot(guarded.page, 'sign-in', scratch);
        await expectAccessible(guarded.page);

        const field = guarded.page.getByLabel('API key');
        await field.fill('sk-not-a-real-key');
        await field.press('Enter');
        expect(await guarded.page.getByRole('alert').textContent()).toMatch(
          /That key was not accepted: Incorrect API key provided/,
        );
        await guarded.page.getByLabel('API key').fill(key.value);
        await guarded.page.getByLabel('API key').press('Enter');
        await guarded.page.getByRole('navigation', { name: 'Main' }).waitFor();
        expect(await guarded.page.getByTestId('session-project').textContent()).toBe(
          `alpha ${project.id}`,
        );
        expect(await guarded.page.getByTestId('session-key').textContent()).toBe(
          `laptop (${key.redacted_value})`,
        );
        // A project key cannot read the organization usage API: the Usage page says so.
        await guarded.page.getByRole('link', { name: 'Usage' }).click();
        expect(await guarded.page.getByRole('status').textContent()).toContain(
          'answers the admin key only',
        );
        // The key is kept for this tab only: a reload stays signed in; signing out forgets it.
        await guarded.page.reload();
        await guarded.page.getByTestId('session-project').waitFor();
        expect(await guarded.page.evaluate('sessionStorage.getItem("concierge.apiKey")')).toBe(
          key.value,
        );
        await guarded.page.getByRole('button', { name: 'Sign out' }).click();
        await guarded.page.getByLabel('API key').waitFor();
        expect(
          await guarded.page.evaluate('sessionStorage.getItem("concierge.apiKey")'),
        ).toBeNull();
        expect(guarded.foreignRequests).toEqual([]);
      } finally {
        await app.destroy();
      }
    });

    it('uploads a file, builds a vector store from it, and searches it with scores', async () => {
      await page.goto('/files');
      await page.getByRole('heading', { name: 'Files', level: 1 }).waitFor();
      await page.getByLabel('File', { exact: true }).setInputFiles({
        name: 'launch-notes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from(
          'Launch notes.\n\nThe launch code is PAPAYA and the window opens at dawn.\n',
        ),
      });
      await page.getByRole('button', { name: 'Upload' }).click();
      await page.getByRole('heading', { name: 'launch-notes.txt' }).waitFor();
      expect(
        (await bed.client.files.list()).data.map((file) => [file.filename, file.purpose]),
      ).toEqual([['launch-notes.txt', 'assistants']]);
      await saveScreenshot(page, 'files', scratch);
      await expectAccessible();

      await page.getByRole('link', { name: 'Vector stores' }).click();
      await page.getByLabel('Name').fill('Launch docs');
      await page.getByLabel('launch-notes.txt').check();
      await page.getByRole('button', { name: 'Create vector store' }).click();
      await page.getByRole('heading', { name: 'Launch docs', level: 2 }).waitFor();
      await expect
        .poll(
          async () => {
            await page.getByRole('button', { name: 'Refresh' }).click();
            return page.locator('.item-list.plain .badge').first().textContent();
          },
          { timeout: 20_000 },
        )
        .toBe('completed');
      await page.getByLabel('Query').fill('launch code');
      await page.getByRole('button', { name: 'Search' }).click();
      const hit = page.locator('.search-results li').first();
      await hit.waitFor();
      expect(await hit.textContent()).toMatch(
        /launch-notes\.txt score \d\.\d{3}.*The launch code is PAPAYA/s,
      );
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByText('1 of 1 files indexed').waitFor();
      await saveScreenshot(page, 'vector-stores', scratch);
      await expectAccessible();
    });

    it('renders the served OpenAPI document as a filterable reference', async () => {
      await page.getByRole('link', { name: 'API reference' }).click();
      await page.getByRole('heading', { name: 'API reference', level: 1 }).waitFor();
      await page
        .getByRole('heading', { name: 'POST /v1/threads/{thread_id}/runs', exact: true })
        .waitFor();
      const document = (await (await fetch(`${bed.baseURL}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const operations = Object.values(document.paths).reduce(
        (count, methods) => count + Object.keys(methods).length,
        0,
      );
      expect(await page.locator('article.operation').count()).toBe(operations);
      await saveScreenshot(page, 'reference', scratch, { fullPage: false });
      await expectAccessible();
      await page.getByLabel('Filter endpoints').fill('models');
      await expect.poll(() => page.locator('article.operation').count(), PATIENCE).toBe(1);
      expect(await page.locator('article.operation').textContent()).toContain(
        'Concierge extension',
      );
    });

    it("shows the project's tokens per day and model, and their cost", async () => {
      bed.upstream.enqueue({
        text: 'Counted.',
        usage: { prompt_tokens: 2000, completion_tokens: 500 },
      });
      const assistant = await bed.client.beta.assistants.create({ model: 'usage-model' });
      const run = await bed.client.beta.threads.createAndRunPoll(
        { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'count' }] } },
        { pollIntervalMs: 20 },
      );
      expect(run.usage).toMatchObject({ prompt_tokens: 2000, completion_tokens: 500 });
      await bed.client.files.create({
        file: await toFile(Buffer.alloc(5000, 'u'), 'stored.txt'),
        purpose: 'assistants',
      });
      // Stored for at least a second before the page reads its cost (a level accrues over time).
      const uploaded = Math.floor(Date.now() / 1000);
      while (Math.floor(Date.now() / 1000) <= uploaded)
        await new Promise((resolve) => setTimeout(resolve, 50));
      await page.getByRole('link', { name: 'Usage' }).click();
      await page.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();
      const tokens = page.getByRole('table', { name: 'Tokens per day and model' });
      const row = tokens.getByRole('row').filter({ hasText: 'usage-model' });
      await row.waitFor(PATIENCE);
      const today = new Date().toISOString().slice(0, 10);
      expect(await row.getByRole('cell').allTextContents()).toEqual([
        today,
        'usage-model',
        '2000',
        '500',
        '1',
      ]);
      const costs = page.getByRole('table', { name: /Cost per day/ });
      expect(
        await costs.getByRole('row').filter({ hasText: 'usage-model' }).allTextContents(),
      ).toEqual([
        `${today}usage-model, input2000$0.002000`,
        `${today}usage-model, output500$0.005000`,
      ]);
      // Stored bytes are priced by the GB-day: a line item of its own, with its quantity.
      const storage = costs.getByRole('row').filter({ hasText: 'storage, GB-days' });
      const [, item, quantity] = await storage.getByRole('cell').allTextContents();
      expect(item).toBe('storage, GB-days');
      expect(Number(quantity)).toBeGreaterThan(0);
      expect(await page.getByTestId('usage-summary').textContent()).toMatch(/Cost: \$0\.00[0-9]+/);
      await saveScreenshot(page, 'usage', scratch);
      await expectAccessible();
    });

    it('shows what server-side tools recorded: code, logs and images, file_search scores, a service agent child run, citations and produced files', async () => {
      // code_interpreter, file_search and service agents run server-side; their engines are built in
      // parallel, so this test records their steps and a cited answer in the store as the engine will,
      // and checks what the page makes of them.
      const chart = makeBarChartPng();
      const png = await bed.client.files.create({
        file: await toFile(chart, 'chart.png'),
        purpose: 'assistants',
      });
      const [notes] = (await bed.client.files.list()).data.filter(
        (file) => file.filename === 'launch-notes.txt',
      );
      const assistant = await bed.client.beta.assistants.create({
        model: 'gpt-4o',
        name: 'Analyst',
      });
      bed.upstream.enqueue({ text: 'Child run done.' }, { text: 'Parent run done.' });
      const child = await bed.client.beta.threads.createAndRunPoll(
        { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'buy' }] } },
        { pollIntervalMs: 20 },
      );
      const parent = await bed.client.beta.threads.createAndRunPoll(
        {
          assistant_id: assistant.id,
          thread: { messages: [{ role: 'user', content: 'analyse' }] },
        },
        { pollIntervalMs: 20 },
      );
      const now = Math.floor(Date.now() / 1000);
      const step: RunStep = {
        id: newId('step'),
        object: 'thread.run.step',
        created_at: now,
        assistant_id: assistant.id,
        thread_id: parent.thread_id,
        run_id: parent.id,
        type: 'tool_calls',
        status: 'completed',
        step_details: {
          type: 'tool_calls',
          tool_calls: [
            {
              id: 'call_code',
              type: 'code_interpreter',
              code_interpreter: {
                input: 'print(6 * 7)\nplot(bars)',
                outputs: [
                  { type: 'logs', logs: '42\n' },
                  { type: 'image', image: { file_id: png.id } },
                ],
              },
            },
            {
              id: 'call_search',
              type: 'file_search',
              file_search: {
                ranking_options: { ranker: 'default_2024_08_21', score_threshold: 0 },
                results: [
                  {
                    file_id: notes!.id,
                    file_name: 'launch-notes.txt',
                    score: 0.87,
                    content: [{ type: 'text', text: 'The launch code is PAPAYA.' }],
                  },
                ],
              },
            },
            {
              id: 'call_agent',
              type: 'service_agent',
              service_agent: {
                id: 'sa_shopper',
                status: 'completed',
                thread_id: child.thread_id,
                run_id: child.id,
                output: 'Bought 2 tickets',
              },
            },
          ],
        },
        last_error: null,
        expired_at: null,
        cancelled_at: null,
        failed_at: null,
        completed_at: now,
        metadata: {},
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      };
      await bed.app.store.runSteps.insert(DEFAULT_PROJECT_ID, step);
      const text = 'The code is PAPAYA【4:0†launch-notes.txt】. Chart: sandbox:/mnt/data/chart.png';
      const citation = '【4:0†launch-notes.txt】';
      const link = 'sandbox:/mnt/data/chart.png';
      const answer: Message = {
        id: newId('message'),
        object: 'thread.message',
        created_at: now + 1,
        thread_id: parent.thread_id,
        status: 'completed',
        incomplete_details: null,
        completed_at: now + 1,
        incomplete_at: null,
        role: 'assistant',
        content: [
          {
            type: 'text',
            text: {
              value: text,
              annotations: [
                {
                  type: 'file_citation',
                  text: citation,
                  file_citation: { file_id: notes!.id },
                  start_index: text.indexOf(citation),
                  end_index: text.indexOf(citation) + citation.length,
                },
                {
                  type: 'file_path',
                  text: link,
                  file_path: { file_id: png.id },
                  start_index: text.indexOf(link),
                  end_index: text.indexOf(link) + link.length,
                },
              ],
            },
          },
          { type: 'image_file', image_file: { file_id: png.id } },
        ],
        assistant_id: assistant.id,
        run_id: parent.id,
        attachments: [],
        metadata: {},
      };
      await bed.app.store.messages.insert(DEFAULT_PROJECT_ID, answer);

      await page.goto(`/threads/${parent.thread_id}`);
      const message = page.locator(`[data-message-id="${answer.id}"]`);
      await message.waitFor();
      await expect
        .poll(() => message.locator('.message-text p').first().textContent(), PATIENCE)
        .toBe('The code is PAPAYA[1]. Chart: Download chart.png');
      const image = message.getByRole('img', { name: 'Image file chart.png' });
      await expect
        .poll(
          () =>
            image.evaluate(
              (element) => (element as unknown as { naturalWidth: number }).naturalWidth,
            ),
          PATIENCE,
        )
        .toBe(72);
      const download = page.waitForEvent('download');
      await message.getByRole('button', { name: 'Download chart.png' }).click();
      const saved = await (await download).path();
      expect(readFileSync(saved).equals(chart)).toBe(true);
      await message.getByRole('link', { name: 'Source 1' }).click();
      await page.getByRole('heading', { name: 'launch-notes.txt', level: 2 }).waitFor();
      await page.goBack();

      await page
        .locator(`[data-message-id="${answer.id}"]`)
        .getByRole('link', { name: 'View run' })
        .click();
      const code = page.getByRole('region', { name: 'Code interpreter call' });
      await code.waitFor();
      expect(await code.getByLabel('Code that ran').textContent()).toBe('print(6 * 7)\nplot(bars)');
      expect(await code.getByLabel('Logs').textContent()).toBe('42\n');
      await expect
        .poll(
          () =>
            code
              .getByRole('img', { name: 'Image file chart.png' })
              .evaluate(
                (element) => (element as unknown as { naturalHeight: number }).naturalHeight,
              ),
          PATIENCE,
        )
        .toBe(48);
      const row = page
        .getByRole('region', { name: 'File search call' })
        .getByRole('row', { name: /launch-notes\.txt/ });
      expect(await row.textContent()).toBe('launch-notes.txt0.870The launch code is PAPAYA.');
      const agent = page.getByRole('region', { name: 'Service agent call' });
      expect(await agent.textContent()).toContain('Bought 2 tickets');
      await saveScreenshot(page, 'run-server-tools', scratch);
      await expectAccessible();
      await agent.getByRole('link', { name: `Open the child run ${child.id}` }).click();
      await page.waitForURL(new RegExp(`/threads/${child.thread_id}/runs/${child.id}$`));
      await page.getByRole('heading', { name: `Run ${child.id} completed` }).waitFor();
    });

    it('talked to no other origin and threw no page errors', () => {
      expect(ui.foreignRequests).toEqual([]);
      expect(ui.pageErrors).toEqual([]);
    });
  },
);
