// The renderer shell end to end: the real core behind the web door, driven in Chromium.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, SKIP_E2E } from '../helpers/browser';
import { REPO_ROOT, startStudioServer, type RunningStudio } from '../helpers/studio-server';

const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'screenshots');

describe.skipIf(SKIP_E2E)('studio shell in Chromium', () => {
  let studio: RunningStudio;
  let browser: Browser;
  let page: Page;
  const consoleProblems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
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
  });

  it('loads with the status bar filled from system.info and no console errors', async () => {
    await page.goto(studio.url);
    await expect.poll(() => page.url()).toBe(`${studio.origin}/`);
    await page.getByTestId('status-version').waitFor();
    expect(await page.getByTestId('status-version').textContent()).toMatch(/nanoVLM Studio \d+\.\d+\.\d+ · browser/);
    expect(await page.getByTestId('status-health').textContent()).toContain('Ready');
    expect(await page.getByTestId('status-inference').textContent()).toMatch(/Inference: \w+/);
    await page.screenshot({ path: join(SCREENSHOTS, 'shell-datasets.png') });
    expect(consoleProblems).toEqual([]);
  });

  it('navigates by clicking and by keyboard', async () => {
    await page.getByTestId('nav-chat').click();
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Chat');
    await page.keyboard.press('Control+3');
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Runs');
    expect(page.url()).toMatch(/#\/runs$/);
    await page.keyboard.press('Control+4');
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Models');
    // Tab from the top reaches the skip link, then the navigation links
    // from the top of a freshly loaded page (the screen's own controls follow its focused heading)
    await page.reload();
    await page.getByTestId('status-version').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('nav-datasets');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Datasets');
    await page.screenshot({ path: join(SCREENSHOTS, 'shell-keyboard.png') });
    expect(consoleProblems).toEqual([]);
  });

  it('follows the system colour scheme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await page.screenshot({ path: join(SCREENSHOTS, 'shell-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(dark).not.toBe(light);
  });

  it('round-trips system.info through the page', async () => {
    const info = await page.evaluate(async () => {
      const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${sessionStorage.getItem('nanovlm-studio-token')}` };
      const response = await fetch('api/call', { method: 'POST', headers, body: JSON.stringify({ method: 'system.info', input: {} }) });
      return (await response.json()) as { ok: boolean; result: { dataFolder: string; door: string } };
    });
    expect(info.ok).toBe(true);
    expect(info.result.door).toBe('web');
    expect(info.result.dataFolder).toBe(studio.dataDir);
  });

  it('answers 401 to a browser without the token', async () => {
    const context = await browser.newContext();
    const stranger = await context.newPage();
    const response = await stranger.goto(`${studio.origin}/`);
    expect(response?.status()).toBe(401);
    expect(await stranger.content()).not.toContain('nanoVLM Studio</title>');
    const wrong = await stranger.goto(`${studio.origin}/?token=${'x'.repeat(studio.token.length)}`);
    expect(wrong?.status()).toBe(401);
    await context.close();
  });
});
