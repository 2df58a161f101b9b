// The Models screen end to end: add a fixture checkpoint by its folder, export it to ONNX int8
// with progress, draft answers for a dataset with it, and remove it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKIP_E2E } from '../helpers/browser';
import { fixtureModelFolder } from '../helpers/fixture-model';
import { PHOTOS_DIR } from '../helpers/fixture-paths';
import { openStudioPage, type StudioPage } from '../helpers/studio-page';

const poll = <T>(read: () => T | Promise<T>, timeout = 15_000) => expect.poll(read, { timeout });

describe.skipIf(SKIP_E2E)('Models screen in Chromium', () => {
  let s: StudioPage;
  const folder = fixtureModelFolder('split');

  beforeAll(async () => {
    s = await openStudioPage();
  });

  afterAll(async () => {
    await s?.close();
  });

  /** the row of the model added here (a bundled demo model may be listed too) */
  const row = () => s.page.locator(`[data-testid=model-row][data-model-id^="fixture-model-split"]`);

  it('adds a model by its folder', async () => {
    const { page } = s;
    await page.getByTestId('nav-models').click();
    await page.getByTestId('add-model-reference').waitFor();
    if (!(await s.call('models.list', {})).length) await page.getByText('No models yet.').waitFor();
    await s.shot('models-empty');
    await page.getByTestId('add-model-reference').fill(folder);
    expect(await page.getByTestId('add-model-submit').textContent()).toBe('Add folder');
    await page.keyboard.press('Enter');
    await row().waitFor({ timeout: 30_000 });
    const text = (await row().textContent()) ?? '';
    expect(text).toContain('Split (tiles)');
    expect(text).toContain('Folder');
    expect(text).toContain(folder);
    expect(text).toMatch(/\d+(\.\d)? [KM]/);
    expect(text).toMatch(/\d+(\.\d)? (KB|MB)/);
    await s.shot('models-list');
    expect(s.consoleProblems).toEqual([]);
  });

  it('exports the model to ONNX int8 with progress', async () => {
    const { page } = s;
    await page.evaluate(() => {
      const w = window as unknown as { sawProgress: boolean };
      w.sawProgress = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid=export-job] [role=progressbar]')) w.sawProgress = true;
      }).observe(document.body, { subtree: true, childList: true });
    });
    await row().getByTestId('model-export').click();
    await page.getByTestId('export-dialog').waitFor();
    await page.getByTestId('export-int8').check();
    await s.shot('models-export');
    await page.getByTestId('export-start').click();
    await page.getByTestId('export-result').waitFor({ timeout: 90_000 });
    expect(await page.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress)).toBe(true);
    expect(await page.getByTestId('export-result').textContent()).toMatch(/Exported to/);
    await s.shot('models-export-done');
    const jobs = await s.call('jobs.list', {});
    expect(jobs.find((j) => j.kind === 'onnx-export')?.status).toBe('done');
    await page.keyboard.press('Escape');
    await page.getByTestId('export-dialog').waitFor({ state: 'detached' });
    // the status bar's tray lists the finished job
    await page.getByTestId('jobs-indicator').click();
    await poll(() => page.getByTestId('jobs-panel').textContent()).toContain('int8');
    await s.shot('models-jobs-tray');
    await page.getByTestId('jobs-indicator').click();
    expect(s.consoleProblems).toEqual([]);
  });

  it('drafts answers for the to-do samples of a dataset', async () => {
    const { page } = s;
    const dataset = await s.call('datasets.create', { name: 'Unlabelled' });
    const image = await s.call('images.add', { dataBase64: readFileSync(join(PHOTOS_DIR, 'coffee.png')).toString('base64') });
    await s.call('samples.create', {
      datasetId: dataset.id,
      sample: { imageIds: [image.id], turns: [{ user: 'What drink is this?', assistant: '' }], status: 'todo' },
    });
    await page.getByTestId('open-draft').click();
    await page.getByTestId('draft-dialog').waitFor();
    await page.getByTestId('draft-model').selectOption((await s.call('models.list', {})).find((m) => m.source === 'folder')!.id);
    await poll(() => page.getByTestId('draft-start').textContent()).toBe('Draft 1 answer');
    await s.shot('models-draft');
    await page.getByTestId('draft-start').click();
    await poll(() => page.getByTestId('draft-report').textContent(), 90_000).toContain('1 sample drafted');
    const page1 = await s.call('samples.page', { datasetId: dataset.id });
    expect(page1.items[0]!.status).toBe('draft');
    expect(page1.items[0]!.firstAnswer).not.toBe('');
    await page.keyboard.press('Escape');
    await page.getByTestId('draft-dialog').waitFor({ state: 'detached' });
    expect(s.consoleProblems).toEqual([]);
  });

  it('drafts the answers of a selection from the Datasets screen, then shows the drafts to review', async () => {
    const { page } = s;
    const dataset = (await s.call('datasets.list', {})).find((d) => d.name === 'Unlabelled')!;
    for (const [file, question] of [
      ['rocket.jpg', 'What is launching?'],
      ['chelsea.png', 'What animal is this?'],
    ] as const) {
      const image = await s.call('images.add', { dataBase64: readFileSync(join(PHOTOS_DIR, file)).toString('base64') });
      await s.call('samples.create', { datasetId: dataset.id, sample: { imageIds: [image.id], turns: [{ user: question, assistant: '' }], status: 'todo' } });
    }
    await page.evaluate((id) => (location.hash = `#/datasets/${id}`), dataset.id);
    await poll(() => page.getByTestId('sample-count').textContent()).toBe('3 samples');
    await page.getByTestId('filter-status-todo').click();
    await poll(() => page.getByTestId('sample-count').textContent()).toBe('2 samples');
    await page.getByTestId('sample-grid').focus();
    await page.keyboard.press('Control+a');
    await poll(() => page.getByTestId('sample-count').textContent()).toBe('2 selected of 2');
    await page.getByTestId('draft-selection').click();
    await page.getByTestId('draft-dialog').waitFor();
    expect(await page.getByTestId('draft-scope').textContent()).toContain('The 2 samples selected in Unlabelled');
    await page.getByTestId('draft-model').selectOption((await s.call('models.list', {})).find((m) => m.source === 'folder')!.id);
    await poll(() => page.getByTestId('draft-start').textContent()).toBe('Draft 2 answers');
    await s.shot('datasets-drafts-dialog');
    await page.getByTestId('draft-start').click();
    await poll(() => page.getByTestId('draft-report').textContent(), 90_000).toContain('2 samples drafted');
    await page.getByTestId('draft-review').click();
    await page.getByTestId('draft-dialog').waitFor({ state: 'detached' });
    // the drafts the model wrote, ready to accept (A) or correct one by one
    expect(await page.getByTestId('filter-status-draft').getAttribute('aria-pressed')).toBe('true');
    await poll(() => page.getByTestId('sample-count').textContent()).toBe('3 samples');
    await s.shot('datasets-drafts');
    await page.keyboard.press('a');
    await poll(async () => (await s.call('datasets.get', { id: dataset.id })).statusCounts.done).toBe(1);
    await page.getByTestId('nav-models').click();
    expect(s.consoleProblems).toEqual([]);
  });

  it('removes the model after a confirmation that says the files stay', async () => {
    const { page } = s;
    const id = await row().getAttribute('data-model-id');
    await row().getByTestId('model-remove').click();
    const dialog = page.getByTestId('remove-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('The folder and its files are left alone');
    await s.shot('models-remove');
    await page.getByTestId('remove-confirm').click();
    await row().waitFor({ state: 'detached' });
    expect((await s.call('models.list', {})).map((m) => m.id)).not.toContain(id);
    expect(s.consoleProblems).toEqual([]);
  });
});
