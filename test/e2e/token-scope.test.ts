// The web door's token stays with its port, in a real browser: another local service that the
// same browser visits receives nothing that opens the studio, a second studio on another port does
// not log the first one out, and the page still reloads and shows its images.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodInput, MethodName, MethodOutput } from '../../src/shared/api';
import { launchBrowser, SKIP_E2E } from '../helpers/browser';
import { waitUntil } from '../helpers/studio-page';
import { startStudioServer, type RunningStudio } from '../helpers/studio-server';

const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });

describe.skipIf(SKIP_E2E)('the token stays with its port (Chromium)', () => {
  let browser: Browser;
  let context: BrowserContext;
  let s: { studio: RunningStudio; page: Page; call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> };
  let second: RunningStudio;
  let neighbour: Server;
  let neighbourOrigin: string;
  const cookiesSeen: string[] = [];

  beforeAll(async () => {
    const studio = await startStudioServer();
    browser = await launchBrowser();
    context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(studio.url);
    await page.getByTestId('status-version').waitFor();
    const call = async (method: string, input: unknown) => {
      const body = (await page.evaluate(
        async ([m, i]) => {
          const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${sessionStorage.getItem('nanovlm-studio-token')}` };
          return (await fetch('api/call', { method: 'POST', headers, body: JSON.stringify({ method: m, input: i }) })).json();
        },
        [method, input] as const,
      )) as { ok: boolean; result: unknown; error?: { message: string } };
      if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
      return body.result;
    };
    s = { studio, page, call: call as never };
    second = await startStudioServer();
    neighbour = createServer((req, res) => {
      cookiesSeen.push(req.headers.cookie ?? '');
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>another local service</title>');
    });
    await new Promise<void>((resolve) => neighbour.listen(0, '127.0.0.1', resolve));
    neighbourOrigin = `http://127.0.0.1:${(neighbour.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    neighbour?.close();
    await second?.stop();
    await browser?.close();
    await s?.studio.stop();
  });

  it('takes the token out of the address bar and keeps working after a reload', async () => {
    await poll(() => s.page.url()).toBe(`${s.studio.origin}/`);
    await s.page.reload();
    await s.page.getByTestId('status-version').waitFor();
    expect(await s.page.getByTestId('status-health').textContent()).toContain('Ready');
  });

  it('sends another service on 127.0.0.1 nothing that opens the studio', async () => {
    const visit = await context.newPage();
    await visit.goto(neighbourOrigin);
    await visit.close();
    const sent = cookiesSeen.join('; ');
    expect(sent).not.toContain(s.studio.token);
    // whatever the browser sent there, replayed against the studio, opens no data
    const replay = { Cookie: sent };
    const api = await fetch(`${s.studio.origin}/api/call`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...replay },
      body: '{"method":"datasets.list","input":{}}',
    });
    expect(api.status).toBe(401);
    expect((await fetch(`${s.studio.origin}/api/events`, { headers: replay })).status).toBe(401);
  });

  it('lets a second studio on another port run in the same browser without logging the first out', async () => {
    const other = await context.newPage();
    await other.goto(second.url);
    await other.getByTestId('status-version').waitFor();
    await other.close();
    await s.page.reload();
    await s.page.getByTestId('status-version').waitFor();
    expect(await s.page.getByTestId('status-health').textContent()).toContain('Ready');
    expect(await s.call('datasets.list', {})).toEqual(expect.any(Array));
  });

  it('draws the grid thumbnails through media addresses that carry only the media key', async () => {
    const job = await s.call('studio.addDemoData', {});
    await waitUntil(async () => (await s.call('jobs.list', {})).some((j) => j.id === job.id && j.status === 'done'), 'the demo import');
    const dataset = (await s.call('datasets.list', {}))[0]!;
    await s.page.goto(`${s.studio.origin}/#/datasets/${dataset.id}`);
    const thumb = s.page.getByTestId('sample-cell').first().locator('img');
    await thumb.waitFor();
    await poll(() => thumb.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    const src = (await thumb.getAttribute('src'))!;
    expect(src).toMatch(/^media\/thumb\/[0-9a-f]{64}\?k=[\w-]+$/);
    expect(src).not.toContain(s.studio.token);
  });
});
