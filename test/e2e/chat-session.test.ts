// A first session on the Chat screen, at a common and a small laptop size: what tripped a new user
// (issue 14) and what they expect from LM Studio. An answer added to a dataset from the second turn
// of a chat (two photos), Enter pressed while a photo uploads, speed on short answers, a context
// that fills up, a question too long for the model, side by side saved and reopened as one
// comparison, the chat in the address, rename, search, export, answer variants, a system prompt,
// Markdown answers (HTML kept as text), greedy by default for a tiny model, and notices that leave.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../src/shared/models';
import { SKIP_E2E } from '../helpers/browser';
import { fixtureModelFolder } from '../helpers/fixture-model';
import { PHOTOS_DIR } from '../helpers/fixture-paths';
import { inside, openStudioPage, overlaps, VIEWPORTS, waitUntil, type StudioPage } from '../helpers/studio-page';

const poll = <T>(read: () => T | Promise<T>, timeout = 30_000) => expect.poll(read, { timeout });

describe.skipIf(SKIP_E2E).each(VIEWPORTS)('Chat, first session, at $width×$height', (viewport) => {
  let s: StudioPage;
  let model: ModelInfo;
  let inline: ModelInfo;
  const size = `${viewport.width}x${viewport.height}`;
  const conv = (i = 0) => s.page.getByTestId(`conversation-${i}`);
  const answers = (i = 0) => conv(i).getByTestId('answer');

  async function addModel(family: 'split' | 'inline'): Promise<ModelInfo> {
    const job = await s.call('models.add', { reference: fixtureModelFolder(family) });
    await waitUntil(async () => (await s.call('jobs.list', {})).find((j) => j.id === job.id)?.status === 'done', `the ${family} model`);
    return (await s.call('models.list', {})).find((m) => m.family === family && m.source === 'folder')!;
  }

  async function attach(...names: string[]): Promise<void> {
    await s.page.getByTestId('chat-file-input').setInputFiles(names.map((n) => join(PHOTOS_DIR, n)));
    await poll(() => s.page.getByTestId('attachment').locator('img').count()).toBe(names.length);
  }

  async function ask(question: string): Promise<void> {
    const before = await answers().count();
    await s.page.getByTestId('chat-input').fill(question);
    await s.page.getByTestId('chat-input').press('Enter');
    await poll(() => answers().count()).toBe(before + 1);
    await poll(() => answers().last().getAttribute('data-status')).not.toBe('streaming');
  }

  async function setMaxTokens(n: number): Promise<void> {
    await s.page.getByTestId('setting-max-tokens').fill(String(n));
    await s.page.getByTestId('setting-max-tokens').blur();
  }

  beforeAll(async () => {
    s = await openStudioPage({ viewport });
    model = await addModel('split');
    inline = await addModel('inline');
    await s.page.getByTestId('nav-chat').click();
    await s.page.getByTestId('chat-empty').waitFor();
    await s.page.getByTestId('chat-model').selectOption(model.id);
  });

  afterAll(async () => {
    await s?.close();
  });

  it('answers greedily by default for a tiny model, and says why', async () => {
    expect(await s.page.getByTestId('setting-greedy').isChecked()).toBe(true);
    expect(await s.page.getByTestId('greedy-reason').textContent()).toMatch(/tiny/);
    expect(s.consoleProblems).toEqual([]);
  });

  it('sends a question typed while its photo is still uploading, once the photo is stored', async () => {
    const { page } = s;
    await setMaxTokens(3);
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/call', async (route) => {
      if (route.request().postData()?.includes('"images.add"')) await held;
      await route.continue();
    });
    await page.getByTestId('chat-file-input').setInputFiles(join(PHOTOS_DIR, 'chelsea.png'));
    await page.getByTestId('chat-input').fill('What animal is this?');
    await page.getByTestId('chat-input').press('Enter');
    await page.getByTestId('chat-waiting').waitFor();
    expect(await page.getByTestId('chat-input').inputValue()).toBe('What animal is this?');
    release();
    await poll(() => page.getByTestId('user-message').count()).toBe(1);
    expect(await page.getByTestId('user-message').locator('img').count()).toBe(1);
    await page.unroute('**/api/call');
    await poll(() => answers().first().getAttribute('data-status')).toBe('done');
    // three tokens are too few for a speed: the time is shown instead
    expect(await answers().first().getByTestId('answer-speed').textContent()).toMatch(/^\d+ ms in all$/);
    expect(s.consoleProblems).toEqual([]);
  });

  it('puts the chat in the address, so a reload comes back to it', async () => {
    const { page } = s;
    await poll(() => page.url()).toMatch(/#\/chat\/\d+$/);
    const chatId = Number(page.url().split('/').at(-1));
    await page.reload();
    await poll(() => page.getByTestId('user-message').count()).toBe(1);
    expect((await s.call('chat.get', { chatId })).messages[0]!.text).toBe('What animal is this?');
    await poll(() => page.getByTestId('chat-item').first().getAttribute('aria-current')).toBe('true');
    expect(s.consoleProblems).toEqual([]);
  });

  it('adds the answer of a second turn with both photos and both turns, shown before it is added', async () => {
    const { page } = s;
    await attach('coffee.png');
    await ask('And what is this drink?');
    const second = answers().nth(1);
    await second.hover();
    await second.getByTestId('answer-edit').click();
    await second.getByTestId('correction-input').fill('Coffee.');
    await second.getByTestId('correction-save').click();
    await second.getByTestId('answer-add').click();
    const dialog = page.getByTestId('add-to-dataset');
    await dialog.waitFor();
    await poll(() => dialog.getByTestId('add-preview-turn').count()).toBe(2);
    expect(await dialog.getByTestId('add-preview-photo').count()).toBe(2);
    expect(await dialog.getByTestId('add-preview-turn').last().textContent()).toContain('Coffee.');
    await s.shot(`chat-add-preview-${size}`);
    await dialog.getByTestId('add-scope-turn').check();
    await poll(() => dialog.getByTestId('add-preview-turn').count()).toBe(1);
    expect(await dialog.getByTestId('add-preview-photo').count()).toBe(1);
    await dialog.getByTestId('add-scope-conversation').check();
    await poll(() => dialog.getByTestId('add-preview-turn').count()).toBe(2);
    await dialog.getByTestId('add-dataset-name').fill('From chat');
    await dialog.getByTestId('add-sample-confirm').click();
    await poll(() => second.getByTestId('answer-added').textContent()).toContain('From chat');
    const dataset = (await s.call('datasets.list', {})).find((d) => d.name === 'From chat')!;
    const [summary] = (await s.call('samples.page', { datasetId: dataset.id })).items;
    const sample = await s.call('samples.get', { id: summary!.id });
    expect(sample.images).toHaveLength(2);
    expect(sample.turns.map((t) => t.user)).toEqual(['What animal is this?', 'And what is this drink?']);
    expect(sample.turns[1]!.assistant).toBe('Coffee.');
    expect(s.consoleProblems).toEqual([]);
  });

  it('keeps earlier answers as variants on regenerate (‹ 1/2 ›)', async () => {
    const { page } = s;
    const last = answers().last();
    const before = await last.getByTestId('answer-text').textContent();
    await page.getByTestId('setting-greedy').uncheck();
    await last.getByTestId('answer-regenerate').click();
    await poll(() => answers().last().getByTestId('variant-position').textContent()).toBe('2/2');
    await poll(() => answers().last().getAttribute('data-status')).toBe('done');
    await answers().last().getByTestId('variant-previous').click();
    await poll(() => answers().last().getByTestId('variant-position').textContent()).toBe('1/2');
    expect(await answers().last().getByTestId('answer-text').textContent()).toBe(before);
    expect(await answers().count()).toBe(2);
    await page.getByTestId('setting-greedy').check();
    expect(s.consoleProblems).toEqual([]);
  });

  it('renders Markdown in answers and keeps HTML as text', async () => {
    const { page } = s;
    const first = answers().first();
    await first.hover();
    await first.getByTestId('answer-edit').click();
    await first.getByTestId('correction-input').fill('A **cat** and `code`\n\n- one\n- two\n\n<img src=x onerror=alert(1)><b>raw</b>');
    await first.getByTestId('correction-save').click();
    const text = first.getByTestId('answer-text');
    await poll(() => text.locator('strong').textContent()).toBe('cat');
    expect(await text.locator('li').count()).toBe(2);
    expect(await text.locator('code').textContent()).toBe('code');
    expect(await text.locator('img, b').count()).toBe(0);
    expect(await text.textContent()).toContain('<img src=x onerror=alert(1)><b>raw</b>');
    expect(await page.evaluate(() => document.querySelectorAll('[data-testid=answer-text] img').length)).toBe(0);
    expect(s.consoleProblems).toEqual([]);
  });

  it('labels an answer stopped by a full context, and advises on a question too long', async () => {
    const { page } = s;
    const image = (await s.call('chat.get', { chatId: (await s.call('chat.list', {}))[0]!.id })).messages[0]!.imageIds[0]!;
    // seed 4: the fixture model writes until its 512 positions are full
    const sent = await s.call('chat.send', {
      modelId: model.id,
      text: 'Tell me everything.',
      imageIds: [image],
      settings: { greedy: false, temperature: 1, seed: 4, maxNewTokens: 4096 },
    });
    await waitUntil(async () => (await s.call('chat.get', { chatId: sent.chat.id })).messages[1]!.status !== 'streaming', 'the long answer');
    await page.goto(`${s.studio.origin}/#/chat/${sent.chat.id}`);
    await poll(() => answers().first().getByTestId('answer-stop').textContent()).toBe('context full');
    expect(await answers().first().getByTestId('answer-stop').getAttribute('title')).toMatch(/new chat/);
    await page.getByTestId('new-chat').click();
    await attach('rocket.jpg');
    await page.getByTestId('chat-input').fill('why '.repeat(5000).trim());
    await page.getByTestId('chat-input').press('Enter');
    await poll(() => answers().first().getAttribute('data-status')).toBe('failed');
    const error = await answers().first().locator('.error').textContent();
    expect(error).toMatch(/shorten the question/);
    expect(error).not.toMatch(/fewer or smaller/);
    expect(s.consoleProblems).toEqual([]);
  });

  it('compares two models side by side, saved as one comparison and reopened with both sides', async () => {
    const { page } = s;
    await page.getByTestId('side-by-side').click();
    await page.getByTestId('chat-model-2').selectOption(inline.id);
    for (const i of [0, 1]) await conv(i).getByTestId('chat-empty').waitFor();
    await setMaxTokens(16);
    await attach('coffee.png', 'rocket.jpg');
    await page.getByTestId('chat-input').fill('What do you see?');
    await page.getByTestId('chat-input').press('Enter');
    for (const i of [0, 1]) await poll(() => answers(i).first().getAttribute('data-status')).toBe('done');
    for (const i of [0, 1]) {
      // the model menus fit their pane, and the answer's stats wrap instead of being cut
      expect(inside(await conv(i).locator('select').boundingBox(), await conv(i).boundingBox())).toBe(true);
      const stats = answers(i).first().getByTestId('answer-stats');
      expect(await stats.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1)).toBe(true);
    }
    await s.shot(`chat-side-by-side-${size}`);
    const pair = (await s.call('chat.list', {})).filter((c) => c.pairedChatId !== undefined);
    expect(pair).toHaveLength(2);
    await page.getByTestId('new-chat').click();
    await page.getByTestId('side-by-side').click();
    await poll(() => page.getByTestId('conversation-1').count()).toBe(0);
    // one entry in the list; opening it opens both sides
    const entry = page.getByTestId('chat-item').filter({ hasText: 'What do you see?' });
    expect(await entry.count()).toBe(1);
    await entry.click();
    for (const i of [0, 1]) await poll(() => answers(i).count()).toBe(1);
    expect(await page.getByTestId('chat-model-2').inputValue()).toBe(inline.id);
    await page.reload();
    for (const i of [0, 1]) await poll(() => answers(i).count()).toBe(1);
    expect(s.consoleProblems).toEqual([]);
  });

  it('renames, searches and exports chats', async () => {
    const { page } = s;
    await page.getByTestId('new-chat').click();
    const row = page
      .getByTestId('chat-row')
      .filter({ hasText: 'And what' })
      .or(page.getByTestId('chat-row').filter({ hasText: 'What animal is this?' }))
      .first();
    await row.hover();
    await row.getByTestId('chat-more').click();
    await row.getByTestId('chat-rename').click();
    await page.getByTestId('chat-rename-input').fill('Cat and coffee');
    await page.getByTestId('chat-rename-input').press('Enter');
    await poll(() => page.getByTestId('chat-item').filter({ hasText: 'Cat and coffee' }).count()).toBe(1);
    await page.getByTestId('chat-search').fill('drink');
    await poll(() => page.getByTestId('chat-item').count()).toBe(1);
    expect(await page.getByTestId('chat-item').textContent()).toContain('Cat and coffee');
    await page.getByTestId('chat-search').fill('no chat says this');
    await poll(() => page.getByTestId('chat-item').count()).toBe(0);
    await page.getByTestId('chat-search').fill('');
    await poll(() => page.getByTestId('chat-item').count()).toBeGreaterThan(1);
    const renamed = page.getByTestId('chat-row').filter({ hasText: 'Cat and coffee' });
    await renamed.hover();
    await renamed.getByTestId('chat-more').click();
    const download = page.waitForEvent('download');
    await renamed.getByTestId('chat-export-markdown').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('cat-and-coffee.md');
    const { readFile } = await import('node:fs/promises');
    const content = await readFile((await file.path())!, 'utf8');
    expect(content).toMatch(/^# Cat and coffee/);
    expect(content).toContain('And what is this drink?');
    expect(s.consoleProblems).toEqual([]);
  });

  it('keeps a system prompt with its chat', async () => {
    const { page } = s;
    await page.getByTestId('new-chat').click();
    await page.getByTestId('system-prompt').fill('Answer in one word.');
    await page.getByTestId('system-prompt').blur();
    await attach('chelsea.png');
    await ask('What is it?');
    await poll(() => page.url()).toMatch(/#\/chat\/\d+$/); // the address follows the page's own update
    const chatId = Number(page.url().split('/').at(-1));
    expect((await s.call('chat.get', { chatId })).systemPrompt).toBe('Answer in one word.');
    await page.getByTestId('new-chat').click();
    await poll(() => page.getByTestId('system-prompt').inputValue()).toBe('Answer in one word.'); // kept for the next new chat
    await page.getByTestId('system-prompt').fill('');
    await page.getByTestId('system-prompt').blur();
    await page.goto(`${s.studio.origin}/#/chat/${chatId}`);
    await poll(() => page.getByTestId('system-prompt').inputValue()).toBe('Answer in one word.');
    expect(s.consoleProblems).toEqual([]);
  });

  it('shows a failure as a notice that leaves by itself, away from Send, and keeps it in the messages', async () => {
    const { page } = s;
    await page.clock.install();
    await page.evaluate(() => window.dispatchEvent(new ErrorEvent('error', { error: new Error('Something failed on purpose') })));
    await poll(() => page.getByTestId('notice').count()).toBe(1);
    expect(overlaps(await page.getByTestId('notice').boundingBox(), await page.getByTestId('chat-send').boundingBox())).toBe(false);
    expect(overlaps(await page.getByTestId('notice').boundingBox(), await page.getByTestId('chat-input').boundingBox())).toBe(false);
    await page.evaluate(() => window.dispatchEvent(new ErrorEvent('error', { error: new Error('Something failed on purpose') })));
    await poll(() => page.getByTestId('notice-count').textContent()).toBe('×2');
    await s.shot(`chat-notice-${size}`);
    await page.clock.runFor(20_000);
    await poll(() => page.getByTestId('notice').count()).toBe(0);
    await page.getByTestId('notice-history-button').click();
    expect(await page.getByTestId('notice-history').textContent()).toContain('Something failed on purpose');
    s.consoleProblems.length = 0; // the error was ours
  });
});
