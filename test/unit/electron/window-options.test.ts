// The desktop window's security settings and the CSP, asserted without starting Electron.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTrustedRendererUrl, mainWindowOptions, secureWebPreferences } from '../../../src/main/electron/window-options';
import { contentSecurityPolicy } from '../../../src/shared/security';
import { REPO_ROOT } from '../../helpers/studio-server';

describe('Electron window security', () => {
  it('isolates the renderer: contextIsolation and sandbox on, no Node integration', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
    });
    expect(mainWindowOptions('/app/preload.cjs').webPreferences).toEqual(prefs);
  });

  it('accepts IPC only from the studio page itself', () => {
    const index = 'file:///opt/studio/out/renderer/index.html';
    expect(isTrustedRendererUrl('file:///opt/studio/out/renderer/index.html#/chat', index)).toBe(true);
    expect(isTrustedRendererUrl('https://evil.example/', index)).toBe(false);
    expect(isTrustedRendererUrl('file:///tmp/other.html', index)).toBe(false);
    expect(isTrustedRendererUrl('not a url', index)).toBe(false);
  });

  it('has a strict CSP: scripts only from the app, no remote content, no plugins', () => {
    const csp = contentSecurityPolicy('studio-media:');
    const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    for (const sources of directives.values()) {
      for (const s of sources!) expect(s).not.toMatch(/^https?:|^\*|unsafe-eval/);
    }
    expect(directives.get('script-src')).not.toContain("'unsafe-inline'");
  });

  it('puts the same CSP into the built page, without inline scripts', () => {
    const html = readFileSync(join(REPO_ROOT, 'out', 'renderer', 'index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1]?.replaceAll('&#39;', "'");
    expect(meta).toBe(contentSecurityPolicy('studio-media:', 'meta'));
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
