// The Chat screen end to end with a fixture model: a photo and a question, the answer streaming
// in, Esc to stop, a thumbs down with a corrected answer added to a dataset in one step, chats
// reopened from the sidebar, and two models side by side.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../src/shared/models';
import { SKIP_E2E } from '../helpers/browser';
import { fixtureModelFolder } from '../helpers/fixture-model';
import { PHOTOS_DIR } from '../helpers/fixture-paths';
import { openStudioPage, waitUntil, type StudioPage } from '../helpers/studio-page';

const poll = <T>(read: () => T | Promise<T>, timeout = 30_000) => expect.poll(read, { timeout });

describe.skipIf(SKIP_E2E)('Chat screen in Chromium', () => {
  let s: StudioPage;

  async function addModel(family: 'split' | 'inline'): Promise<ModelInfo> {
    const job = await s.call('models.add', { reference: fixtureModelFolder(family) });
    await waitUntil(async () => (await s.call('jobs.list', {})).find((j) => j.id === job.id)?.status === 'done', `the ${family} model`);
    return (await s.call('models.list', {})).find((m) => m.family === family && m.source === 'folder')!;
  }

  const answers = () => s.page.getByTestId('conversation-0').getByTestId('answer');

  async function setMaxTokens(n: number): Promise<void> {
    await s.page.getByTestId('setting-max-tokens').fill(String(n));
    await s.page.getByTestId('setting-max-tokens').blur();
  }

  async function attach(...names: string[]): Promise<void> {
    await s.page.getByTestId('chat-file-input').setInputFiles(names.map((n) => join(PHOTOS_DIR, n)));
    await poll(() => s.page.getByTestId('attachment').locator('img').count()).toBe(names.length);
  }

  async function ask(question: string): Promise<void> {
    await s.page.getByTestId('chat-input').fill(question);
    await s.page.getByTestId('chat-input').press('Enter');
  }

  beforeAll(async () => {
    s = await openStudioPage();
    const model = await addModel('split');
    await s.page.getByTestId('nav-chat').click();
    await s.page.getByText('Ask about a photo').waitFor();
    await s.page.getByTestId('chat-model').selectOption(model.id);
    await s.page.getByTestId('setting-greedy').check();
  });

  afterAll(async () => {
    await s?.close();
  });

  it('answers a question about a photo, streaming, with its speed', async () => {
    const { page } = s;
    await setMaxTokens(24);
    await attach('chelsea.png');
    await s.shot('chat-empty');
    await ask('What animal is in this photo?');
    await poll(() => answers().first().getAttribute('data-status')).toBe('done');
    expect(await page.getByTestId('attachment').count()).toBe(0);
    expect(await page.getByTestId('user-message').locator('img').count()).toBe(1);
    expect((await answers().first().getByTestId('answer-text').textContent())!.length).toBeGreaterThan(0);
    expect(await answers().first().getByTestId('answer-stats').textContent()).toMatch(/TTFT \d+ ms.*\d+\.\d tok\/s/);
    expect(s.consoleProblems).toEqual([]);
  });

  it('streams a long answer in a second turn and stops it with Esc', async () => {
    const { page } = s;
    await setMaxTokens(4096);
    await ask('Tell me everything about it.');
    const second = answers().nth(1);
    // the fixture model is fast and its context short (512 positions): stop at the first text
    await page.waitForFunction(
      () => {
        const answer = document.querySelectorAll('[data-testid=conversation-0] [data-testid=answer]')[1];
        return answer?.getAttribute('data-status') === 'streaming' && (answer.querySelector('[data-testid=answer-text]')?.textContent ?? '').length > 0;
      },
      undefined,
      { polling: 'raf', timeout: 30_000 },
    );
    await page.getByTestId('chat-input').press('Escape');
    await poll(() => second.getAttribute('data-status')).toBe('stopped');
    expect(await second.getByTestId('answer-stats').textContent()).toContain('stopped');
    expect(((await second.getByTestId('answer-text').textContent()) ?? '').length).toBeGreaterThan(0);
    await s.shot('chat-stopped');
    expect(s.consoleProblems).toEqual([]);
  });

  it('regenerates the last answer', async () => {
    await setMaxTokens(12);
    const before = await answers().nth(1).getAttribute('data-testid');
    expect(before).toBe('answer');
    await answers().nth(1).getByTestId('answer-regenerate').click();
    await poll(() => answers().nth(1).getAttribute('data-status')).toBe('done');
    expect(await answers().count()).toBe(2);
    expect(s.consoleProblems).toEqual([]);
  });

  it('turns a thumbs-down with a corrected answer into a reviewed sample in one step', async () => {
    const { page } = s;
    const first = answers().first();
    await first.hover();
    await first.getByTestId('rate-down').click();
    await first.getByTestId('correction-input').fill('A tabby cat.');
    await s.shot('chat-correction');
    await first.getByTestId('correction-save').click();
    await poll(() => first.getByTestId('answer-text').textContent()).toBe('A tabby cat.');
    expect(await first.getByTestId('rate-down').getAttribute('aria-pressed')).toBe('true');

    await first.getByTestId('answer-add').click();
    await page.getByTestId('add-to-dataset').waitFor();
    await page.getByTestId('add-dataset-name').fill('From chat');
    await s.shot('chat-add-to-dataset');
    await page.getByTestId('add-sample-confirm').click();
    await poll(() => first.getByTestId('answer-added').textContent()).toContain('Added to From chat');

    const dataset = (await s.call('datasets.list', {})).find((d) => d.name === 'From chat')!;
    const samples = await s.call('samples.page', { datasetId: dataset.id });
    expect(samples.items).toHaveLength(1);
    expect(samples.items[0]).toMatchObject({
      firstQuestion: 'What animal is in this photo?',
      firstAnswer: 'A tabby cat.',
      status: 'review',
      origins: ['person'],
    });
    expect(samples.items[0]!.imageIds).toHaveLength(1);
    expect(s.consoleProblems).toEqual([]);
  });

  it('lists the chat in the sidebar and reopens it', async () => {
    const { page } = s;
    await page.getByTestId('new-chat').click();
    await poll(() => page.getByTestId('user-message').count()).toBe(0);
    await page.getByTestId('chat-item').first().click();
    await poll(() => page.getByTestId('user-message').count()).toBe(2);
    expect(await answers().first().getByTestId('answer-text').textContent()).toBe('A tabby cat.');
    // the "added" mark is stored with the answer and links to its dataset
    await page.reload();
    await page.getByTestId('chat-item').first().click();
    await poll(() => answers().first().getByTestId('answer-added').textContent()).toContain('Added to From chat');
    const dataset = (await s.call('datasets.list', {})).find((d) => d.name === 'From chat')!;
    expect(await answers().first().getByTestId('answer-added').getAttribute('href')).toBe(`#/datasets/${dataset.id}`);
    await s.shot('chat-conversation');
    await page.emulateMedia({ colorScheme: 'dark' });
    await s.shot('chat-conversation-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(s.consoleProblems).toEqual([]);
  });

  it('asks two models the same question side by side', async () => {
    const { page } = s;
    const second = await addModel('inline');
    await page.getByTestId('side-by-side').click();
    await page.getByTestId('chat-model-2').selectOption(second.id);
    await setMaxTokens(16);
    await attach('coffee.png', 'rocket.jpg');
    await ask('What do you see?');
    for (const side of ['conversation-0', 'conversation-1']) {
      await poll(() => page.getByTestId(side).getByTestId('answer').getAttribute('data-status')).toBe('done');
      expect(await page.getByTestId(side).getByTestId('user-message').locator('img').count()).toBe(2);
    }
    expect((await s.call('chat.list', {})).length).toBe(3);
    await s.shot('chat-side-by-side');
    expect(s.consoleProblems).toEqual([]);
  });

  it('reads a photo while the question is written: the answer then runs only the question', async () => {
    const { page } = s;
    await page.getByTestId('side-by-side').click(); // back to one conversation
    await page.getByTestId('new-chat').click();
    await setMaxTokens(8);
    // the core says when the attached photo has been read (chat.prefilled)
    await page.evaluate(
      () =>
        new Promise<void>((opened) => {
          const source = new EventSource(`api/events?token=${encodeURIComponent(sessionStorage.getItem('nanovlm-studio-token') ?? '')}`);
          (window as unknown as { prefillEnded: Promise<string> }).prefillEnded = new Promise((resolve) =>
            source.addEventListener('chat.prefilled', (e) => {
              const outcome = (JSON.parse((e as MessageEvent).data) as { outcome: string }).outcome;
              if (outcome === 'cancelled') return;
              source.close();
              resolve(outcome);
            }),
          );
          source.onopen = () => opened();
        }),
    );
    await attach('hubble_deep_field.jpg');
    expect(await page.evaluate(() => (window as unknown as { prefillEnded: Promise<string> }).prefillEnded)).toBe('done');
    await ask('What is this?');
    await poll(() => answers().first().getAttribute('data-status')).toBe('done');
    const [, cached, positions] = (await answers().first().getByTestId('answer-stats').textContent())!.match(/cached (\d+)\/(\d+)/)!;
    expect(Number(positions) - Number(cached)).toBeLessThan(40); // the photo and the chat template were ready
    expect(s.consoleProblems).toEqual([]);
  });

  it('deletes a chat after a confirmation', async () => {
    const { page } = s;
    const before = (await s.call('chat.list', {})).length;
    const item = page.locator('li', { has: page.getByTestId('chat-item') }).first();
    await item.hover();
    await item.getByTestId('chat-delete').click();
    const dialog = page.getByTestId('delete-chat');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Answers you added to a dataset stay there');
    await s.shot('chat-delete');
    await page.getByTestId('chat-delete-confirm').click();
    await poll(() => page.getByTestId('chat-item').count()).toBe(before - 1);
    expect((await s.call('chat.list', {})).length).toBe(before - 1);
    expect(s.consoleProblems).toEqual([]);
  });
});
