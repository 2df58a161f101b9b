// One studio (web door, real core) and one Chromium page on it, with what every screen test needs:
// console problems collected, screenshots by name, and API calls made from the page itself.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { MethodInput, MethodName, MethodOutput } from '../../src/shared/api';
import { launchBrowser } from './browser';
import { REPO_ROOT, startStudioServer, type RunningStudio, type StudioServerOptions } from './studio-server';

export const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'screenshots');

export interface StudioPage {
  studio: RunningStudio;
  browser: Browser;
  page: Page;
  consoleProblems: string[];
  shot(name: string): Promise<void>;
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  close(): Promise<void>;
}

/** The window sizes the screens are checked at: a common laptop and a small one. */
export const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
] as const;

export async function openStudioPage(options: StudioServerOptions & { viewport?: { width: number; height: number } } = {}): Promise<StudioPage> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const { viewport = { width: 1360, height: 860 }, ...serverOptions } = options;
  const studio = await startStudioServer(serverOptions);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  const consoleProblems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') consoleProblems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => consoleProblems.push(`pageerror: ${err.message}`));
  await page.goto(studio.url);
  await page.getByTestId('status-version').waitFor();
  return {
    studio,
    browser,
    page,
    consoleProblems,
    shot: async (name) => {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
    },
    call: async (method, input) => {
      const body = await page.evaluate(
        async ([m, i]) => {
          // the page keeps its token per tab (sessionStorage) and sends it as a Bearer header
          const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${sessionStorage.getItem('nanovlm-studio-token')}` };
          return (await fetch('api/call', { method: 'POST', headers, body: JSON.stringify({ method: m, input: i }) })).json();
        },
        [method, input] as const,
      );
      const answer = body as { ok: boolean; result: unknown; error?: { message: string } };
      if (!answer.ok) throw new Error(`${method}: ${answer.error?.message}`);
      return answer.result as never;
    },
    close: async () => {
      await browser.close();
      await studio.stop();
    },
  };
}

/** Whether box `inner` lies inside box `outer` (a pixel of rounding allowed). */
export function inside(inner: Box | null, outer: Box | null): boolean {
  if (!inner || !outer) return false;
  return (
    inner.x >= outer.x - 1 &&
    inner.y >= outer.y - 1 &&
    inner.x + inner.width <= outer.x + outer.width + 1 &&
    inner.y + inner.height <= outer.y + outer.height + 1
  );
}

/** Whether two boxes overlap. */
export function overlaps(a: Box | null, b: Box | null): boolean {
  if (!a || !b) return false;
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Polls outside a test (hooks cannot use expect.poll). */
export async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
