// Debian's Chromium driven by playwright-core. No browser is a failure, never a silent skip; only
// NANOVLM_SKIP_E2E=1 skips the end-to-end tests, loudly.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const SKIP_E2E = process.env.NANOVLM_SKIP_E2E === '1';

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}: install it (apt-get install chromium) or set CHROMIUM_PATH; set NANOVLM_SKIP_E2E=1 to skip the end-to-end tests on purpose`,
    );
  }
  return path;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
