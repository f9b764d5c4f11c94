/**
 * The playground in headless Chromium against the real server and a scripted model: build an assistant,
 * chat with live streaming, answer a function call by hand, approve and decline service-agent proposals,
 * inspect the run's steps, and chat through the Responses API. Every screen passes an axe check; the page never talks to another origin.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  browserTestsEnabled,
  launchBrowser,
  openPlayground,
  saveScreenshot,
  type PlaygroundPage,
} from '../helpers/browser.ts';
import { makeBarChartPng } from '../helpers/png.ts';
import { createRunTestBed, weatherTool, type RunTestBed } from '../helpers/run-test-bed.ts';
import { createTestPaymentsAgent, type TestPaymentsAgent } from '../helpers/test-payments-agent.ts';

/** How long a poll waits for the page to catch up (the machine may be busy with other suites). */
const PATIENCE = { timeout: 15_000 };

describe.runIf(browserTestsEnabled)(
  'playground: assistants, streaming chat, tool calls, approvals, runs',
  { timeout: 90_000 },
  () => {
    let bed: RunTestBed;
    let payments: TestPaymentsAgent;
    let browser: Browser;
    let ui: PlaygroundPage;
    let page: Page;
    let scratch: string;

    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), 'playground-screens-'));
      payments = createTestPaymentsAgent();
      bed = await createRunTestBed({
        config: {
          modelTimeoutSeconds: 60,
          providers: { default: { type: 'openai-compatible', models: ['gpt-4o', 'gpt-4o-mini'] } },
        },
        overrides: { builtinAgents: [payments] },
      });
      browser = await launchBrowser();
      ui = await openPlayground(browser, bed.baseURL.replace(/\/v1$/, ''));
      page = ui.page;
    });
    afterAll(async () => {
      await ui?.context.close();
      await browser?.close();
      await bed?.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    async function expectAccessible(): Promise<void> {
      expect(await accessibilityViolations(page)).toEqual([]);
    }

    const assistantMessages = () => page.getByRole('article', { name: 'Assistant message' });

    /** Attaches a bar chart image and a text file of meeting notes named `notesName`. */
    async function attachChartAndNotes(notesName: string): Promise<void> {
      await page.getByLabel('Attach files').setInputFiles([
        { name: 'chart.png', mimeType: 'image/png', buffer: makeBarChartPng() },
        {
          name: notesName,
          mimeType: 'text/plain',
          buffer: Buffer.from('Meeting notes: ship on Friday.'),
        },
      ]);
    }

    /** The user's message with this text, once its attached chart (72 px wide) has loaded. */
    async function sentWithChart(text: string) {
      const mine = page.getByRole('article', { name: 'Your message' }).filter({ hasText: text });
      await expect
        .poll(
          () =>
            mine
              .getByRole('img', { name: 'Image file chart.png' })
              .evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth),
          PATIENCE,
        )
        .toBe(72);
      return mine;
    }

    async function send(text: string): Promise<void> {
      const box = page.getByRole('textbox', { name: 'Message' });
      await expect.poll(() => box.isEnabled(), PATIENCE).toBe(true);
      await box.fill(text);
      await box.press('Enter');
    }

    it('opens in dev mode without asking for a key, shows the project and key, and is navigable by keyboard', async () => {
      await page.goto('/');
      await page.getByRole('heading', { name: 'New chat' }).waitFor();
      expect(await page.getByTestId('session-project').textContent()).toContain('proj_default');
      expect(await page.getByTestId('session-key').textContent()).toBe(
        'dev mode (any key accepted)',
      );

      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
      let focused: unknown = '';
      for (let presses = 0; presses < 8 && focused !== 'Assistants'; presses++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate('document.activeElement?.textContent ?? ""');
      }
      expect(focused).toBe('Assistants');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Assistants', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/assistants');
      // Focus moved to the new screen, so the next Tab starts there rather than in the header.
      expect(await page.evaluate('document.activeElement?.id')).toBe('main');
      expect(
        await page.getByRole('link', { name: 'Assistants' }).getAttribute('aria-current'),
      ).toBe('page');
    });

    it('creates an assistant with function tools, refusing invalid parameters with a focused, named error', async () => {
      await page.getByRole('link', { name: 'New assistant' }).click();
      await page.getByRole('heading', { name: 'New assistant', level: 2 }).waitFor();
      expect(
        await page
          .locator('#configured-models option')
          .evaluateAll((options) => options.map((option) => option.getAttribute('value'))),
      ).toEqual(['gpt-4o', 'gpt-4o-mini']);
      await page.getByLabel('Name', { exact: true }).fill('Weather helper');
      await page.getByLabel('Model').fill('gpt-4o');
      await page.getByLabel('Instructions').fill('Answer briefly.');
      await page.getByRole('button', { name: 'Add function' }).click();
      const weather = page.getByRole('group', { name: 'Function 1' });
      await weather.getByLabel('Name').fill('get_weather');
      await weather.getByLabel('Description').fill('Weather for a city');
      await weather.getByLabel('Parameters (JSON Schema)').fill('{"type": "object", oops');
      await page.getByRole('button', { name: 'Create assistant' }).click();
      expect(await page.getByRole('alert').textContent()).toMatch(
        /The parameters of get_weather are not valid JSON/,
      );
      expect(await page.evaluate('document.activeElement?.tagName')).toBe('TEXTAREA');
      expect((await bed.client.beta.assistants.list()).data).toEqual([]);

      await weather
        .getByLabel('Parameters (JSON Schema)')
        .fill(JSON.stringify(weatherTool.function.parameters));
      await page.getByRole('button', { name: 'Add function' }).click();
      const booking = page.getByRole('group', { name: 'Function 2' });
      await booking.getByLabel('Name').fill('book_tickets');
      await booking
        .getByLabel('Parameters (JSON Schema)')
        .fill('{"type": "object", "properties": {"title": {"type": "string"}}}');
      await page.getByRole('button', { name: 'Create assistant' }).click();
      await page.waitForURL(/\/assistants\/asst_/);
      await page.getByRole('link', { name: /Weather helper/ }).waitFor();

      const [created] = (await bed.client.beta.assistants.list()).data;
      expect(created).toMatchObject({
        name: 'Weather helper',
        model: 'gpt-4o',
        instructions: 'Answer briefly.',
      });
      expect(
        created!.tools.map((tool) =>
          tool.type === 'function'
            ? [tool.function.name, tool.function.description, tool.function.parameters]
            : tool.type,
        ),
      ).toEqual([
        ['get_weather', 'Weather for a city', weatherTool.function.parameters],
        ['book_tickets', undefined, { type: 'object', properties: { title: { type: 'string' } } }],
      ]);
      await page.getByRole('heading', { name: 'Edit Weather helper' }).waitFor();
      await saveScreenshot(page, 'assistants', scratch);
      await expectAccessible();
    });

    it('edits and deletes assistants', async () => {
      const scratchAssistant = await bed.client.beta.assistants.create({
        model: 'gpt-4o-mini',
        name: 'Throwaway',
      });
      await page.reload();
      await page.getByRole('link', { name: /Throwaway/ }).click();
      await page.getByLabel('Instructions').fill('Be terse.');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      expect((await bed.client.beta.assistants.retrieve(scratchAssistant.id)).instructions).toBe(
        'Be terse.',
      );

      await page.getByRole('button', { name: 'Delete assistant' }).click();
      await page.getByRole('button', { name: 'Yes, delete Throwaway' }).click();
      await page.waitForURL(/\/assistants$/);
      await expect
        .poll(() => page.getByRole('link', { name: /Throwaway/ }).count(), PATIENCE)
        .toBe(0);
      await expect(bed.client.beta.assistants.retrieve(scratchAssistant.id)).rejects.toThrow(
        /No assistant found/,
      );
    });

    it('streams the answer token by token, and cancels a run mid-stream', async () => {
      await page.getByRole('link', { name: 'Chat' }).click();
      await page.getByRole('heading', { name: 'New chat' }).waitFor();
      expect(await page.getByLabel('Assistant').inputValue()).toMatch(/^asst_/);
      // The model sends three chunks and then holds the stream open: what the page shows is the live stream.
      bed.upstream.enqueue({
        chunks: ['Streaming ', 'tokens ', 'arrive ', 'never'],
        stallAfterChunks: 3,
      });
      await send('Hello there');
      const partial = assistantMessages().filter({ hasText: 'Streaming tokens arrive' });
      await partial.waitFor();
      expect(await partial.textContent()).not.toContain('never');
      expect(await page.locator('.run-status').textContent()).toContain('in progress');
      await page.waitForURL(/\/threads\/thread_/);
      await saveScreenshot(page, 'chat-streaming', scratch);

      await page.getByRole('button', { name: 'Cancel run' }).click();
      await page.locator('.run-status').filter({ hasText: 'cancelled' }).waitFor();
      await partial.filter({ hasText: 'incomplete' }).waitFor();

      bed.upstream.enqueue({
        chunks: ['The ', 'full ', 'answer ', 'streamed ', 'in.'],
        chunkDelayMs: 20,
      });
      await send('Try again');
      await assistantMessages().filter({ hasText: 'The full answer streamed in.' }).waitFor();
      await page.locator('.run-status').filter({ hasText: 'completed' }).waitFor();
      const threadId = new URL(page.url()).pathname.split('/')[2]!;
      const stored = await bed.client.beta.threads.messages.list(threadId, { order: 'asc' });
      expect(stored.data.map((message) => [message.role, message.status])).toEqual([
        ['user', 'completed'],
        ['assistant', 'incomplete'],
        ['user', 'completed'],
        ['assistant', 'completed'],
      ]);
    });

    it('shows a function call with its arguments and submits the output typed by hand', async () => {
      bed.upstream.enqueue(
        { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' }, id: 'call_weather' }] },
        { chunks: ['It is ', '18°C and sunny ', 'in Paris.'] },
      );
      await send('What is the weather in Paris?');
      const call = page.getByRole('form', { name: 'get_weather was called' });
      await call.waitFor();
      expect(
        JSON.parse((await call.getByLabel('Arguments of get_weather').textContent())!),
      ).toEqual({ city: 'Paris' });
      // The streamed tool call is shown in the conversation too.
      expect(
        await page.getByRole('region', { name: 'Function call get_weather' }).count(),
      ).toBeGreaterThan(0);
      await saveScreenshot(page, 'chat-function-call', scratch);
      await expectAccessible();

      await call.getByLabel('Output of get_weather').fill('18°C and sunny');
      await call.getByRole('button', { name: 'Submit output' }).click();
      await assistantMessages().filter({ hasText: 'It is 18°C and sunny in Paris.' }).waitFor();
      expect(bed.upstream.lastRequest.messages.at(-1)).toEqual({
        role: 'tool',
        tool_call_id: 'call_weather',
        content: '18°C and sunny',
      });
      await saveScreenshot(page, 'chat', scratch);
    });

    it('shows every detail of a service-agent proposal and sends the approval or the refusal', async () => {
      // A real service agent (the test payments built-in) that always asks: its proposal pauses the run.
      const agent = await bed.client.post<{ id: string; name: string }>('/service_agents', {
        body: {
          name: 'box_office',
          kind: 'builtin',
          builtin: 'test_payments',
          policy: { always_ask: true, max_per_action_usd: 500 },
        },
      });
      const [helper] = (await bed.client.beta.assistants.list()).data.filter(
        (assistant) => assistant.name === 'Weather helper',
      );
      await bed.client.beta.assistants.update(helper!.id, {
        tools: [
          ...helper!.tools,
          { type: 'service_agent', service_agent: { id: agent.id } } as never,
        ],
      });
      const paidBefore = payments.executions.length;

      bed.upstream.enqueue(
        {
          toolCalls: [
            {
              name: 'box_office',
              arguments: { amount_usd: 120, merchant: 'Opéra Bastille' },
              id: 'call_tickets',
            },
          ],
        },
        { text: 'Booked your tickets.' },
      );
      await send('Book two opera tickets');
      const card = page.getByRole('region', { name: 'Pay $120.00 to Opéra Bastille' });
      await card.waitFor(PATIENCE);
      const shown = await card.textContent();
      for (const detail of [
        'Opéra Bastille',
        '120',
        'box_office',
        'payment',
        'asks a person before every action',
      ])
        expect(shown).toContain(detail);
      await saveScreenshot(page, 'approval', scratch);
      await expectAccessible();
      await card.getByRole('button', { name: 'Approve' }).click();
      await assistantMessages().filter({ hasText: 'Booked your tickets.' }).waitFor(PATIENCE);
      // The agent paid once, and the model read its result (not the approval itself).
      expect(payments.executions.length - paidBefore).toBe(1);
      const result = bed.upstream.lastRequest.messages.at(-1);
      expect(result.tool_call_id).toBe('call_tickets');
      expect(result.content).toContain('Paid $120.00');

      bed.upstream.enqueue(
        {
          toolCalls: [
            {
              name: 'box_office',
              arguments: { amount_usd: 80, merchant: 'Opéra Garnier' },
              id: 'call_second',
            },
          ],
        },
        { text: 'Understood, not booking.' },
      );
      await send('Book the ballet too');
      const second = page.getByRole('region', { name: 'Pay $80.00 to Opéra Garnier' });
      await second.getByLabel('Reason or note (optional)').fill('Not today');
      await second.getByRole('button', { name: 'Decline' }).click();
      await assistantMessages().filter({ hasText: 'Understood, not booking.' }).waitFor(PATIENCE);
      expect(bed.upstream.lastRequest.messages.at(-1).content).toContain(
        '(Not today); nothing was done.',
      );
      expect(payments.executions.length - paidBefore).toBe(1);
    });

    it('sends attachments: an image as image content the model sees, a document for file search', async () => {
      bed.upstream.enqueue({ text: 'I see a bar chart and your notes.' });
      await attachChartAndNotes('notes.txt');
      expect(await page.getByRole('list', { name: 'Files to attach' }).textContent()).toBe(
        'chart.png×notes.txt×',
      );
      await send('What is in these files?');
      await assistantMessages().filter({ hasText: 'I see a bar chart and your notes.' }).waitFor();
      const mine = await sentWithChart('What is in these files?');
      await mine.getByRole('link', { name: /notes\.txt/ }).waitFor();

      const threadId = new URL(page.url()).pathname.split('/')[2]!;
      const sent = (
        await bed.client.beta.threads.messages.list(threadId, { order: 'desc', limit: 2 })
      ).data[1]!;
      expect(sent.content.map((part) => part.type)).toEqual(['text', 'image_file']);
      expect(sent.attachments).toEqual([
        { file_id: expect.stringMatching(/^file-/), tools: [{ type: 'file_search' }] },
      ]);
      const thread = await bed.client.beta.threads.retrieve(threadId);
      expect(thread.tool_resources?.file_search?.vector_store_ids).toHaveLength(1);
      // The model received the image itself, not just a file id.
      const userTurn = bed.upstream.lastRequest.messages.at(-1);
      expect(JSON.stringify(userTurn.content)).toMatch(/data:image\/png;base64,/);
    });

    it('opens a run from its message and shows its steps, tool inputs and outputs, usage and timings', async () => {
      await assistantMessages()
        .filter({ hasText: 'It is 18°C and sunny in Paris.' })
        .getByRole('link', { name: 'View run' })
        .click();
      await page.waitForURL(/\/runs\/run_/);
      const [, , threadId, , runId] = new URL(page.url()).pathname.split('/');
      const run = await bed.client.beta.threads.runs.retrieve(runId!, { thread_id: threadId! });
      await page.getByRole('heading', { name: `Run ${runId} completed` }).waitFor();
      await page.getByRole('heading', { name: 'Step 1: tool calls completed' }).waitFor();
      await page.getByRole('heading', { name: 'Step 2: message completed' }).waitFor();
      expect(
        JSON.parse((await page.getByLabel('Arguments of get_weather').textContent())!),
      ).toEqual({ city: 'Paris' });
      expect(await page.getByLabel('Output of get_weather').textContent()).toBe('18°C and sunny');
      expect(await page.getByRole('region', { name: 'Run summary' }).textContent()).toContain(
        `${run.usage!.total_tokens} tokens`,
      );
      expect(await page.getByRole('region', { name: 'Run summary' }).textContent()).toContain(
        'gpt-4o',
      );
      await saveScreenshot(page, 'run', scratch);
      await expectAccessible();
    });

    it('chats through the Responses API: live text, a function call, an approval, and the events inspector', async () => {
      await page.getByRole('link', { name: 'Chat' }).click();
      await page.getByLabel('Chat through').selectOption('responses');
      await page.getByRole('heading', { name: 'Responses chat' }).waitFor();
      await page.getByLabel('Assistant').selectOption({ label: 'Weather helper (gpt-4o)' });

      bed.upstream.enqueue({ chunks: ['Responses ', 'stream ', 'live.'], chunkDelayMs: 20 });
      await send('Hello through Responses');
      await assistantMessages().filter({ hasText: 'Responses stream live.' }).waitFor(PATIENCE);
      expect(bed.upstream.lastRequest.messages).toEqual([
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: 'Hello through Responses' },
      ]);
      // The inspector lists the response's events in order, deltas included.
      const inspector = page.locator('.response-inspector').first();
      await inspector.locator('summary').first().click();
      const eventTypes = inspector
        .getByRole('list', { name: 'Response events' })
        .locator(':scope > li > details > summary > code');
      // The text is on screen as soon as its last delta arrives; the completion event follows it.
      await eventTypes.filter({ hasText: /^response\.completed$/ }).waitFor(PATIENCE);
      const events = await eventTypes.allTextContents();
      expect(events[0]).toBe('response.created');
      expect(events.at(-1)).toBe('response.completed');
      expect(events.filter((type) => type === 'response.output_text.delta')).toHaveLength(3);
      const firstId = await inspector.locator('summary code').first().textContent();
      const stored = await bed.client.responses.retrieve(firstId!);
      expect(stored.output_text).toBe('Responses stream live.');

      bed.upstream.enqueue(
        { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' }, id: 'call_oslo' }] },
        { chunks: ['Cold ', 'in Oslo.'] },
      );
      await send('Weather in Oslo?');
      const call = page.getByRole('form', { name: 'get_weather was called' });
      await call.waitFor(PATIENCE);
      await page.getByRole('heading', { name: 'The response is waiting for you' }).waitFor();
      await expectAccessible();
      await call.getByLabel('Output of get_weather').fill('-5C');
      await call.getByRole('button', { name: 'Submit output' }).click();
      await assistantMessages().filter({ hasText: 'Cold in Oslo.' }).waitFor(PATIENCE);
      expect(bed.upstream.lastRequest.messages.at(-1)).toEqual({
        role: 'tool',
        tool_call_id: 'call_oslo',
        content: '-5C',
      });

      const paidBefore = payments.executions.length;
      bed.upstream.enqueue(
        {
          toolCalls: [
            {
              name: 'box_office',
              arguments: { amount_usd: 45, merchant: 'Théâtre du Châtelet' },
              id: 'call_chatelet',
            },
          ],
        },
        { text: 'Booked through Responses.' },
      );
      await send('Book the Châtelet');
      const card = page.getByRole('region', { name: 'Pay $45.00 to Théâtre du Châtelet' });
      await card.waitFor(PATIENCE);
      await saveScreenshot(page, 'responses-approval', scratch);
      await card.getByRole('button', { name: 'Approve' }).click();
      await assistantMessages().filter({ hasText: 'Booked through Responses.' }).waitFor(PATIENCE);
      expect(payments.executions.length - paidBefore).toBe(1);
      expect(bed.upstream.lastRequest.messages.at(-1).content).toContain('Paid $45.00');
      await expectAccessible();
    });

    it('sends attachments through the Responses API: an image as input_image, a document as input_file', async () => {
      await page.getByRole('button', { name: 'Start over' }).click();
      bed.upstream.enqueue({ text: 'A chart, and notes about Friday.' });
      await attachChartAndNotes('friday.txt');
      await send('Read these through Responses');
      await assistantMessages()
        .filter({ hasText: 'A chart, and notes about Friday.' })
        .waitFor(PATIENCE);
      const mine = await sentWithChart('Read these through Responses');
      await mine.getByRole('link', { name: /friday\.txt/ }).waitFor(PATIENCE);

      // The model read the image itself and the document's text, in the user's turn.
      const userTurn = bed.upstream.lastRequest.messages.at(-1);
      expect(userTurn.role).toBe('user');
      const content = JSON.stringify(userTurn.content);
      expect(content).toMatch(/data:image\/png;base64,/);
      expect(content).toContain('Meeting notes: ship on Friday.');

      // The response's input is one message with the three parts, the files by id.
      const inspector = page.locator('.response-inspector').last();
      await inspector.locator('summary').first().click();
      const responseId = await inspector.locator('summary code').first().textContent();
      const items = await bed.client.responses.inputItems.list(responseId!);
      expect(items.data).toMatchObject([
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Read these through Responses' },
            { type: 'input_image', file_id: expect.stringMatching(/^file-/) },
            { type: 'input_file', file_id: expect.stringMatching(/^file-/) },
          ],
        },
      ]);
      await expectAccessible();
    });

    it('talked to no other origin and threw no page errors', () => {
      expect(ui.foreignRequests).toEqual([]);
      expect(ui.pageErrors).toEqual([]);
    });
  },
);
