// A first session on the Models screen, at a common and a small laptop size (issue 14): offline, a
// Hub model fails with what to do (the network, HF_ENDPOINT, HF_HUB_OFFLINE), the field keeps what
// was typed and the failed add offers to resume; the catalogue lists the nanoVLM checkpoints with
// their sizes and needs; an ONNX export goes to a folder of the person's choice or downloads.
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKIP_E2E } from '../helpers/browser';
import { fixtureModelFolder } from '../helpers/fixture-model';
import { openStudioPage, VIEWPORTS, waitUntil, type StudioPage } from '../helpers/studio-page';
import { makeTempDir } from '../helpers/temp-dir';
import { readZip } from '../helpers/zip-reader';

const poll = <T>(read: () => T | Promise<T>, timeout = 30_000) => expect.poll(read, { timeout });

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

describe.skipIf(SKIP_E2E).each(VIEWPORTS)('Models, first session, at $width×$height', (viewport) => {
  let s: StudioPage;
  const temp = makeTempDir('studio-models-session-');
  const size = `${viewport.width}x${viewport.height}`;

  beforeAll(async () => {
    s = await openStudioPage({ viewport, env: { HF_ENDPOINT: `http://127.0.0.1:${await closedPort()}`, HF_HOME: join(temp.path, 'hf') } });
    const job = await s.call('models.add', { reference: fixtureModelFolder('split') });
    await waitUntil(async () => (await s.call('jobs.list', {})).find((j) => j.id === job.id)?.status === 'done', 'the fixture model');
    await s.page.getByTestId('nav-models').click();
    await s.page.getByTestId('add-model-reference').waitFor();
  });

  afterAll(async () => {
    await s?.close();
    temp.remove();
  });

  it('says what to do when the Hub cannot be reached, keeps the field, and offers to resume', async () => {
    const { page } = s;
    await page.getByTestId('add-model-reference').fill('lusxvr/nanoVLM-222M');
    await page.getByTestId('add-model-submit').click();
    const line = page.getByTestId('job-line').filter({ hasText: 'nanoVLM-222M' });
    await poll(() => line.getAttribute('data-status')).toBe('failed');
    const text = (await line.textContent())!;
    expect(text).toMatch(/could not reach the Hub at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(text).toMatch(/HF_ENDPOINT/);
    expect(text).toMatch(/HF_HUB_OFFLINE=1/);
    expect(await page.getByTestId('add-model-reference').inputValue()).toBe('lusxvr/nanoVLM-222M');
    expect(await line.getByTestId('job-retry').textContent()).toBe('Resume');
    await s.shot(`models-offline-${size}`);
    await line.getByTestId('job-retry').click();
    await poll(() => page.getByTestId('job-line').filter({ hasText: 'nanoVLM-222M' }).count()).toBe(1);
    await poll(() => page.getByTestId('job-line').filter({ hasText: 'nanoVLM-222M' }).getAttribute('data-status')).toBe('failed');
    s.consoleProblems.length = 0;
  });

  it('lists the nanoVLM checkpoints with their size, download and what they need', async () => {
    const { page } = s;
    const rows = page.getByTestId('catalogue-row');
    await poll(() => rows.count()).toBe(3);
    expect(await rows.nth(0).textContent()).toMatch(/lusxvr\/nanoVLM-222M.*Prefix.*2\d\d M.*≈ \d+ MB/s);
    expect(await rows.nth(2).textContent()).toMatch(/nanoVLM-230M-8k.*context 8,192/s);
    expect(await rows.nth(1).textContent()).toMatch(/int8/);
    await page.getByTestId('model-catalogue').scrollIntoViewIfNeeded();
    await s.shot(`models-catalogue-${size}`);
    expect(s.consoleProblems).toEqual([]);
  });

  it("exports to ONNX into a folder of the person's choice, and as a download", async () => {
    const { page } = s;
    const row = page.locator('[data-testid=model-row][data-model-id^="fixture-model-split"]');
    await row.getByTestId('model-export').click();
    await page.getByTestId('export-int8').check();
    await page.getByTestId('export-where-folder').check();
    const outDir = join(temp.path, `onnx-${size}`);
    await page.getByTestId('export-folder').fill(outDir);
    await page.getByTestId('export-start').click();
    await poll(() => page.getByTestId('export-copied').textContent(), 90_000).toContain(outDir);
    const copied = (await page.getByTestId('export-copied').textContent())!.trim();
    expect(existsSync(join(copied, 'config.json'))).toBe(true);
    expect(readdirSync(copied).some((f) => f.endsWith('.onnx'))).toBe(true);
    await page.keyboard.press('Escape');
    await row.getByTestId('model-export').click();
    await page.getByTestId('export-int8').check();
    await page.getByTestId('export-where-download').check();
    const download = page.waitForEvent('download');
    await page.getByTestId('export-start').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/-onnx-int8\.zip$/);
    const zip = join(temp.path, `onnx-${size}.zip`);
    await file.saveAs(zip);
    expect([...readZip(zip).keys()].some((k) => k.endsWith('tokenizer.json'))).toBe(true);
    await page.keyboard.press('Escape');
    expect(s.consoleProblems).toEqual([]);
  });
});
