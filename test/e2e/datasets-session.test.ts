// A first session on the Datasets screen, at a common and a small laptop size (issue 14): the
// splits dialog fits, thumbnails show whole photos, an export ends with what it wrote (not
// "0 read"), files come from this computer (picked, a folder, dropped on the grid; one photo on its
// own) and exports download, a photo that is not one is named once, and the drafting report reads.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKIP_E2E } from '../helpers/browser';
import { fixtureModelFolder } from '../helpers/fixture-model';
import { PHOTOS_DIR } from '../helpers/fixture-paths';
import { inside, openStudioPage, VIEWPORTS, waitUntil, type StudioPage } from '../helpers/studio-page';
import { makeTempDir } from '../helpers/temp-dir';
import { readZip } from '../helpers/zip-reader';

const poll = <T>(read: () => T | Promise<T>, timeout = 30_000) => expect.poll(read, { timeout });

describe.skipIf(SKIP_E2E).each(VIEWPORTS)('Datasets, first session, at $width×$height', (viewport) => {
  let s: StudioPage;
  let datasetId: number;
  const temp = makeTempDir('studio-datasets-session-');
  const size = `${viewport.width}x${viewport.height}`;
  const count = () => s.page.getByTestId('sample-count').textContent();

  beforeAll(async () => {
    // a folder as a person keeps one: a JSONL beside its images
    mkdirSync(join(temp.path, 'vqa', 'images'), { recursive: true });
    const rows = [
      ['chelsea.png', 'What animal is this?', 'A cat.'],
      ['coffee.png', 'What drink is this?', 'Coffee.'],
    ];
    for (const [file] of rows) writeFileSync(join(temp.path, 'vqa', 'images', file!), readFileSync(join(PHOTOS_DIR, file!)));
    writeFileSync(
      join(temp.path, 'vqa', 'train.jsonl'),
      rows.map(([f, q, a]) => JSON.stringify({ images: [`images/${f}`], texts: [{ user: q, assistant: a }] })).join('\n'),
    );
    writeFileSync(join(temp.path, 'x.png'), 'this is text, not a photo');
    s = await openStudioPage({ viewport });
    datasetId = (await s.call('datasets.create', { name: 'First session' })).id;
    await s.page.goto(`${s.studio.origin}/#/datasets/${datasetId}`);
    await s.page.getByTestId('dataset-title').waitFor();
  });

  afterAll(async () => {
    await s?.close();
    temp.remove();
  });

  it('imports a folder picked on this computer (the JSONL and its images), sent through the API', async () => {
    const { page } = s;
    await page.getByTestId('open-import').click();
    await page.getByTestId('import-folder-input').setInputFiles(join(temp.path, 'vqa'));
    await poll(() => page.getByTestId('import-picked').textContent()).toMatch(/^vqa · 3 files/);
    await s.shot(`datasets-import-picked-${size}`);
    await page.getByTestId('import-start').click();
    const report = page.getByTestId('import-report');
    await report.waitFor({ timeout: 60_000 });
    expect(await report.textContent()).toMatch(/2\s+imported/);
    await page.getByTestId('import-close').click();
    await poll(count).toBe('2 samples');
    expect(s.consoleProblems).toEqual([]);
  });

  it('imports one photo by its path (no longer "unknown import format"), and one picked file', async () => {
    const { page } = s;
    await page.getByTestId('open-import').click();
    await page.getByTestId('import-path').fill(join(PHOTOS_DIR, 'rocket.jpg'));
    await page.getByTestId('import-start').click();
    await page.getByTestId('import-report').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('import-report').textContent()).toMatch(/1\s+imported/);
    await page.getByTestId('import-close').click();
    await page.getByTestId('open-import').click();
    await page.getByTestId('import-files-input').setInputFiles(join(PHOTOS_DIR, 'astronaut.png'));
    await page.getByTestId('import-start').click();
    await page.getByTestId('import-report').waitFor({ timeout: 60_000 });
    await page.getByTestId('import-close').click();
    await poll(count).toBe('4 samples');
    expect(s.consoleProblems).toEqual([]);
  });

  it('shows a failed import in the dialog, not as a notice too', async () => {
    const { page } = s;
    await page.getByTestId('open-import').click();
    await page.getByTestId('import-path').fill(join(temp.path, 'no-such-folder'));
    await page.getByTestId('import-start').click();
    await poll(() => page.getByTestId('import-error').textContent()).toMatch(/no-such-folder: cannot import \(ENOENT\)/);
    expect(await page.getByTestId('notice').count()).toBe(0);
    await page.getByTestId('import-close').click();
    expect(s.consoleProblems).toEqual([]);
  });

  it('opens the import with a data file dropped on the grid', async () => {
    const { page } = s;
    const jsonl = readFileSync(join(temp.path, 'vqa', 'train.jsonl'), 'utf8');
    const transfer = await page.evaluateHandle((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'more.jsonl', { type: 'application/jsonl' }));
      return data;
    }, jsonl);
    await page.locator('.grid-frame').dispatchEvent('drop', { dataTransfer: transfer });
    await page.getByTestId('import-dialog').waitFor();
    await poll(() => page.getByTestId('import-picked').textContent()).toMatch(/^more\.jsonl · 1 file/);
    await page.keyboard.press('Escape');
    await page.getByTestId('import-dialog').waitFor({ state: 'detached' });
    expect(s.consoleProblems).toEqual([]);
  });

  it('names a dropped file that is not a photo once', async () => {
    const { page } = s;
    const transfer = await page.evaluateHandle(() => {
      const data = new DataTransfer();
      data.items.add(new File(['this is text, not a photo'], 'x.png', { type: 'image/png' }));
      return data;
    });
    await page.locator('.grid-frame').dispatchEvent('drop', { dataTransfer: transfer });
    const notice = page.getByTestId('notice');
    await poll(() => notice.count()).toBe(1);
    const text = (await notice.textContent())!;
    expect(text).toMatch(/^Could not add a photo: "x\.png": not an image/);
    expect(text.split('x.png').length).toBe(2);
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    s.consoleProblems.length = 0; // the failed call is ours
  });

  it('shows whole photos in the grid, not cropped to the cell', async () => {
    const fits = await s.page
      .getByTestId('sample-cell')
      .first()
      .locator('img')
      .evaluate((img) => getComputedStyle(img).objectFit);
    expect(fits).toBe('contain');
  });

  it('fits the splits dialog, every field inside it', async () => {
    const { page } = s;
    await page.getByTestId('open-splits').click();
    const dialog = page.getByTestId('split-dialog');
    await dialog.waitFor();
    for (const field of ['split-train', 'split-val', 'split-test', 'split-seed', 'split-stratify']) {
      expect(inside(await page.getByTestId(field).boundingBox(), await dialog.locator('.modal-body').boundingBox())).toBe(true);
    }
    expect(await dialog.locator('.modal-body').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await s.shot(`datasets-splits-${size}`);
    await page.keyboard.press('Escape');
    expect(s.consoleProblems).toEqual([]);
  });

  it('splits stratified by question type, with the counts of each type', async () => {
    const { page } = s;
    await page.getByTestId('open-splits').click();
    const dialog = page.getByTestId('split-dialog');
    await dialog.waitFor();
    await page.getByTestId('split-stratify-question-type').check();
    await dialog.getByRole('button', { name: 'Assign' }).click();
    const strata = page.getByTestId('split-strata');
    await strata.waitFor();
    const rows = await strata.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())));
    // the imported questions begin with "What …"; every sample is counted once
    expect(rows.map((r) => r[0])).toContain('what');
    const total = rows.reduce((n, r) => n + Number(r[1]) + Number(r[2]) + Number(r[3]), 0);
    expect(`${total} samples`).toBe(await count());
    expect(inside(await strata.boundingBox(), await dialog.locator('.modal-body').boundingBox())).toBe(true);
    await s.shot(`datasets-splits-stratified-${size}`);
    await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
    await dialog.waitFor({ state: 'hidden' });
    expect(s.consoleProblems).toEqual([]);
  });

  it('exports as a .zip downloaded to this computer, ending with what it wrote', async () => {
    const { page } = s;
    await page.getByTestId('open-export').click();
    await page.getByTestId('export-format-jsonl').check();
    expect(await page.getByTestId('export-start').textContent()).toBe('Export and download');
    const download = page.waitForEvent('download');
    await page.getByTestId('export-start').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('First-session-jsonl.zip');
    const zip = join(temp.path, `export-${size}.zip`);
    await file.saveAs(zip);
    const entries = readZip(zip);
    expect(entries.get('First-session-jsonl/data.jsonl')!.toString().trim().split('\n')).toHaveLength(4);
    await poll(() => page.getByTestId('export-report').textContent()).toMatch(/4\s+samples and\s+4\s+images/);
    const progress = await page.getByTestId('job-progress-text').textContent();
    expect(progress).toMatch(/^\s*Done in \d+(\.\d)? s/);
    expect(progress).not.toMatch(/0 read/);
    await s.shot(`datasets-export-download-${size}`);
    await page.getByTestId('export-close').click();
    expect(s.consoleProblems).toEqual([]);
  });

  it('reports drafted answers in a sentence that reads', async () => {
    const { page } = s;
    const job = await s.call('models.add', { reference: fixtureModelFolder('split') });
    await waitUntil(async () => (await s.call('jobs.list', {})).find((j) => j.id === job.id)?.status === 'done', 'the fixture model');
    const image = await s.call('images.add', { dataBase64: readFileSync(join(PHOTOS_DIR, 'coffee.png')).toString('base64') });
    await s.call('samples.create', { datasetId, sample: { imageIds: [image.id], turns: [{ user: 'What is this?', assistant: '' }], status: 'todo' } });
    await page.reload();
    await page.getByTestId('open-drafts').click();
    await page.getByTestId('draft-dialog').waitFor();
    await page.getByTestId('draft-model').selectOption((await s.call('models.list', {})).find((m) => m.source === 'folder')!.id);
    await page.getByTestId('draft-start').click();
    await poll(() => page.getByTestId('draft-report').textContent(), 90_000).toContain('drafted');
    expect(await page.getByTestId('draft-report').textContent()).toMatch(/\d+ samples? drafted\. Review them next/);
    await page.keyboard.press('Escape');
    expect(s.consoleProblems).toEqual([]);
  });

  it('opens the review queue from the drafts count: the drafts alone, to accept one by one', async () => {
    const { page } = s;
    await page.reload();
    const review = page.getByTestId('review-drafts');
    await review.waitFor();
    const drafts = Number((await review.textContent())!.match(/(\d+)\s+draft/)![1]);
    expect(drafts).toBeGreaterThan(0);
    await review.click();
    expect(await page.getByTestId('filter-status-draft').getAttribute('aria-pressed')).toBe('true');
    await poll(count).toBe(`${drafts} sample${drafts === 1 ? '' : 's'}`);
    await page.getByTestId('filter-status-draft').click(); // back to every sample for the next test
    expect(s.consoleProblems).toEqual([]);
  });

  it('shows what changed since a version, and restores it', async () => {
    const { page } = s;
    const first = (await s.call('samples.page', { datasetId, limit: 1 })).items[0]!;
    await page.getByTestId('open-versions').click();
    const dialog = page.getByTestId('version-dialog');
    await dialog.waitFor();
    await dialog.locator('input').first().fill(`before the edit ${size}`);
    await page.getByTestId('version-take').click();
    await poll(() => dialog.getByTestId('version-row').count()).toBeGreaterThan(0);
    const sample = await s.call('samples.get', { id: first.id });
    await s.call('samples.update', { id: first.id, patch: { turns: [{ user: 'Edited after the version?', assistant: 'Yes.' }] } });

    await page.getByTestId('version-compare').click();
    const diff = page.getByTestId('version-diff');
    await poll(() => diff.textContent()).toMatch(/0\s+added · 0\s+removed · 1\s+edited/);
    expect(await diff.getByTestId('diff-edited').textContent()).toContain('Edited after the version?');
    for (const field of ['version-compare-from', 'version-compare-to', 'version-compare']) {
      expect(inside(await page.getByTestId(field).boundingBox(), await dialog.locator('.modal-body').boundingBox())).toBe(true);
    }
    await s.shot(`datasets-version-diff-${size}`);

    const row = dialog.getByTestId('version-row').filter({ hasText: `before the edit ${size}` });
    await row.getByTestId('version-restore').click();
    await row.getByTestId('version-restore-confirm').click();
    await poll(async () => (await s.call('samples.get', { id: first.id })).turns[0]!.user).toBe(sample.turns[0]!.user);
    // what was there before the restore is a version of its own
    await poll(() => dialog.getByTestId('version-row').filter({ hasText: 'before restoring version' }).count()).toBe(1);
    await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
    expect(s.consoleProblems).toEqual([]);
  });
});
