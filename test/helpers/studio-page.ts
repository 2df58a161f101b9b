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

export async function openStudioPage(options: StudioServerOptions = {}): Promise<StudioPage> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const studio = await startStudioServer(options);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
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

/** Polls outside a test (hooks cannot use expect.poll). */
export async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
