// The Datasets screen end to end: the real core behind the web door, driven in Chromium.
// Import a folder and a JSONL, annotate with the keyboard only, filter, export, and re-import the
// export into a new dataset to find the same questions and answers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, SKIP_E2E } from '../helpers/browser';
import { PHOTOS_DIR } from '../helpers/fixture-paths';
import { REPO_ROOT, startStudioServer, type RunningStudio } from '../helpers/studio-server';
import { makeTempDir } from '../helpers/temp-dir';

const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'screenshots');
/** the page answers quickly, but a loaded 2-core machine can be slow: wait up to 15 s */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });
const JSONL_ROWS = [
  { image: 'chelsea.png', user: 'What animal is in the picture?', assistant: 'A tabby cat.' },
  { image: 'coffee.png', user: 'What drink is shown?', assistant: 'A cup of coffee.' },
  { image: 'rocket.jpg', user: 'What is launching?', assistant: 'A rocket.' },
];
const EDITS = [
  { question: 'Who is in the portrait', answer: 'An astronaut in a spacesuit.', statusKey: '4', status: 'done', splitCode: 'Digit2', split: 'val' },
  { question: 'Describe the pattern', answer: 'A black and white checkerboard.', statusKey: '3', status: 'review', splitCode: 'Digit3', split: 'test' },
];

describe.skipIf(SKIP_E2E)('Datasets screen in Chromium', () => {
  let studio: RunningStudio;
  let browser: Browser;
  let page: Page;
  const temp = makeTempDir('studio-datasets-e2e-');
  const jsonlPath = join(temp.path, 'vqa.jsonl');
  const exportDir = join(temp.path, 'export');
  const consoleProblems: string[] = [];

  const countText = () => page.getByTestId('sample-count').textContent();
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `datasets-${name}.png`) });

  async function createDataset(name: string): Promise<void> {
    await page.getByTestId('new-dataset-name').fill(name);
    await page.keyboard.press('Enter');
    await poll(() => page.getByTestId('dataset-title').textContent()).toBe(name);
  }

  async function importPath(path: string, options: { allowOutside?: boolean } = {}): Promise<string> {
    await page.keyboard.press('i');
    await page.getByTestId('import-path').fill(path);
    if (options.allowOutside) await page.getByTestId('import-allow-outside').check();
    await page.keyboard.press('Enter');
    const report = page.getByTestId('import-report');
    await report.waitFor({ timeout: 60_000 });
    return (await report.textContent()) ?? '';
  }

  async function closeImport(): Promise<void> {
    await page.getByTestId('import-close').click();
    await page.getByTestId('import-dialog').waitFor({ state: 'detached' });
  }

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(
      jsonlPath,
      JSONL_ROWS.map((r) => JSON.stringify({ images: [join(PHOTOS_DIR, r.image)], texts: [{ user: r.user, assistant: r.assistant }] })).join('\n') + '\n',
    );
    studio = await startStudioServer();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') consoleProblems.push(`${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (err) => consoleProblems.push(`pageerror: ${err.message}`));
  });

  afterAll(async () => {
    await browser?.close();
    await studio?.stop();
    temp.remove();
  });

  it('creates a dataset and imports a folder of photos and a JSONL, with a report of what was skipped', async () => {
    await page.goto(studio.url);
    await page.getByTestId('new-dataset-name').waitFor();
    await createDataset('Photos');
    const folderReport = await importPath(PHOTOS_DIR);
    expect(folderReport).toContain('truncated.jpg');
    await shot('import-report');
    await closeImport();
    // the JSONL names photos in another folder: reading them is allowed on purpose
    const jsonlReport = await importPath(jsonlPath, { allowOutside: true });
    expect(jsonlReport).toMatch(/3\s+imported/);
    await closeImport();
    await poll(countText).toMatch(/^\d+ samples$/);
    const total = Number((await countText())!.split(' ')[0]);
    expect(total).toBeGreaterThanOrEqual(8);
    await page.locator('[data-testid="sample-cell"]').first().waitFor();
    await shot('grid');
    expect(consoleProblems).toEqual([]);
  });

  it('annotates two samples with the keyboard only', async () => {
    await page.getByTestId('sample-grid').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    await page.getByTestId('sample-editor').waitFor();
    for (const [i, edit] of EDITS.entries()) {
      await poll(() => page.getByTestId('editor-position').textContent()).toMatch(new RegExp(`^${i + 1} of`));
      await poll(() => page.getByTestId('sample-editor').getAttribute('aria-busy')).toBe('false');
      await page.keyboard.press('e'); // no turn yet: adds one and puts the cursor in its question
      await page.keyboard.type(edit.question);
      await page.keyboard.press('Tab');
      await page.keyboard.type(edit.answer);
      await page.keyboard.press('Escape'); // leave the text field, keys act on the sample again
      await page.keyboard.press(edit.statusKey);
      await page.keyboard.press(`Shift+${edit.splitCode}`);
      await poll(() => page.getByTestId('editor-status').locator('[aria-checked="true"]').getAttribute('data-value')).toBe(edit.status);
      await poll(() => page.getByTestId('editor-split').locator('[aria-checked="true"]').getAttribute('data-value')).toBe(edit.split);
      await poll(() => page.getByTestId('save-state').textContent()).toContain('Saved');
      if (i === 0) await shot('editor');
      await page.keyboard.press('j'); // saves (already saved) and moves on
    }
    await poll(() => page.getByTestId('editor-position').textContent()).toMatch(/^3 of/);
    // the review flow: A marks done and moves on; back with K, and Ctrl+Z undoes it
    const checked = (group: string) => page.getByTestId(group).locator('[aria-checked="true"]').getAttribute('data-value');
    await page.keyboard.press('a');
    await poll(() => page.getByTestId('editor-position').textContent()).toMatch(/^4 of/);
    await page.keyboard.press('k');
    await poll(() => checked('editor-status')).toBe('done');
    await page.keyboard.press('Control+z');
    await poll(() => checked('editor-status')).toBe('todo');
    await page.keyboard.press('Escape');
    await page.getByTestId('sample-grid').waitFor();
    // the cells show what was saved
    const first = page.locator('[data-testid="sample-cell"]').first();
    await poll(() => first.textContent()).toContain(EDITS[0]!.question);
    await poll(() => first.textContent()).toContain('Done');
    expect(consoleProblems).toEqual([]);
  });

  it('shows the shortcut sheet on ?', async () => {
    await page.keyboard.press('?');
    await page.getByTestId('shortcut-sheet').waitFor();
    expect(await page.getByTestId('shortcut-sheet').textContent()).toContain('Accept: mark done and go to the next sample');
    await shot('shortcut-sheet');
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcut-sheet').waitFor({ state: 'detached' });
  });

  it('filters by status and by text', async () => {
    await page.getByTestId('filter-status-review').click();
    await poll(countText).toBe('1 sample');
    await poll(() => page.locator('[data-testid="sample-cell"]').first().textContent()).toContain(EDITS[1]!.question);
    await page.getByTestId('filter-status-review').click();
    await page.getByTestId('filter-text').fill('astronaut spacesuit');
    await poll(countText).toBe('1 sample');
    await poll(() => page.locator('[data-testid="sample-cell"]').first().textContent()).toContain(EDITS[0]!.answer);
    await page.getByTestId('filter-text').fill('cat');
    await poll(countText).toBe('1 sample');
    await page.getByTestId('filter-text').fill('');
    await poll(countText).toMatch(/^\d+ samples$/);
    expect(consoleProblems).toEqual([]);
  });

  it('exports as JSONL and re-imports the export into a new dataset with the same questions and answers', async () => {
    await page.getByTestId('open-export').click();
    await page.getByTestId('export-format-jsonl').check();
    await page.getByTestId('export-path').fill(exportDir);
    await page.getByTestId('export-start').click();
    await page.getByTestId('export-report').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('export-report').textContent()).toContain(join(exportDir, 'data.jsonl'));
    await page.getByTestId('export-close').click();

    await page.getByRole('button', { name: 'All datasets' }).click();
    await createDataset('Re-imported');
    const report = await importPath(join(exportDir, 'data.jsonl'));
    expect(report).toMatch(/0\s+skipped/);
    await closeImport();
    for (const edit of EDITS) {
      await page.getByTestId('filter-text').fill(edit.answer.replace('.', ''));
      await poll(countText).toBe('1 sample');
      const cell = page.locator('[data-testid="sample-cell"]').first();
      await poll(() => cell.textContent()).toContain(edit.question);
      await cell.dblclick();
      await poll(() => page.getByTestId('turn-answer').first().inputValue()).toBe(edit.answer);
      expect(await page.getByTestId('turn-question').first().inputValue()).toBe(edit.question);
      expect(await page.getByTestId('editor-status').locator('[aria-checked="true"]').getAttribute('data-value')).toBe(edit.status);
      expect(await page.getByTestId('editor-split').locator('[aria-checked="true"]').getAttribute('data-value')).toBe(edit.split);
      await page.keyboard.press('Escape');
    }
    const jsonlRow = JSONL_ROWS[0]!;
    await page.getByTestId('filter-text').fill('tabby');
    await poll(() => page.locator('[data-testid="sample-cell"]').first().textContent()).toContain(jsonlRow.user);
    expect(consoleProblems).toEqual([]);
  });
});
