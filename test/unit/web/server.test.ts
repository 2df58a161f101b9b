// The web door: token on every request, validated calls, events, media by id, static files only
// from the renderer folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { startWebDoor, type WebDoor } from '../../../src/main/web/server';
import { makeTempDir } from '../../helpers/temp-dir';

const TOKEN = 'test-token-0123456789abcdef';

describe('web door', () => {
  const temp = makeTempDir();
  const rendererDir = join(temp.path, 'renderer');
  let core: StudioCore;
  let door: WebDoor;
  const auth = { Authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>nanoVLM Studio</title>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(temp.path, 'secret.txt'), 'do not serve');
    core = createStudioCore({ dataDir: join(temp.path, 'data'), door: 'web' });
    door = await startWebDoor({ core, token: TOKEN, rendererDir });
  });

  afterAll(async () => {
    await door.close();
    core.close();
    temp.remove();
  });

  const call = (body: unknown, headers: Record<string, string> = auth) =>
    fetch(`${door.origin}/api/call`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('binds 127.0.0.1 by default', () => {
    expect(door.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each(['/', '/index.html', '/assets/app.js', '/api/events', `/media/image/${'a'.repeat(64)}`, '/nope'])(
    'answers 401 without the token: GET %s',
    async (path) => {
      const response = await fetch(`${door.origin}${path}`);
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain('nanoVLM Studio</title>');
    },
  );

  it('answers 401 to a call without the token or with a wrong one', async () => {
    expect((await call({ method: 'system.info', input: {} }, {})).status).toBe(401);
    expect((await call({ method: 'system.info', input: {} }, { Authorization: 'Bearer wrong-token-0123456789ab' })).status).toBe(401);
    const cookie = await fetch(`${door.origin}/`, { headers: { Cookie: 'studio_token=wrong' } });
    expect(cookie.status).toBe(401);
  });

  it('serves the page for the token in the address with a strict page cookie, and the page with the CSP', async () => {
    // (no redirect: the page itself takes the token from the address; see credentials.test.ts)
    const first = await fetch(`${door.origin}/?token=${TOKEN}`, { redirect: 'manual' });
    expect(first.status).toBe(200);
    expect(first.headers.get('location')).toBeNull();
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(`${door.origin}/`, { headers: { Cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('nanoVLM Studio');
  });

  it('round-trips system.info and reports invalid input with the field', async () => {
    const ok = await call({ method: 'system.info', input: {} });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, result: { door: 'web' } });
    const bad = await call({ method: 'system.info', input: { extra: true } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'extra' } });
    const unknown = await call({ method: 'rm.rf', input: {} });
    expect(unknown.status).toBe(404);
    const garbage = await fetch(`${door.origin}/api/call`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...auth }, body: '{nope' });
    expect(garbage.status).toBe(400);
    const form = await fetch(`${door.origin}/api/call`, { method: 'POST', headers: { 'Content-Type': 'text/plain', ...auth }, body: '{}' });
    expect(form.status).toBe(415);
  });

  it('streams events to an authorised listener', async () => {
    const controller = new AbortController();
    const response = await fetch(`${door.origin}/api/events`, { headers: auth, signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    await reader.read(); // ": connected"
    core.events.publish('studio.notice', { level: 'info', message: 'hello' });
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('event: studio.notice\ndata: {"level":"info","message":"hello"}');
    controller.abort();
  });

  it('serves nothing outside the renderer folder and refuses malformed media ids', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt']) {
      const response = await fetch(`${door.origin}${path}`, { headers: auth });
      expect(await response.text()).not.toContain('do not serve');
    }
    expect((await fetch(`${door.origin}/media/image/..%2f..%2fsecret.txt`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${door.origin}/media/raw/${'a'.repeat(64)}`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${door.origin}/media/image/${'a'.repeat(64)}`, { headers: auth })).status).toBe(404);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(door.origin);
      const req = request({ host: url.hostname, port: url.port, path: '/', headers: { Host: 'evil.example:80', ...auth } }, (res) => resolve(res.statusCode!));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});
