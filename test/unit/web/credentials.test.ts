// What each credential of the web door opens, and the door's answers at its edges: the token is
// never put in a cookie (cookies reach every port of the host), the page cookie opens only the
// renderer's files and is named after its port, the media key opens only images, nothing
// redirects, and a body over the limit gets a 413.
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { MAX_BODY_BYTES, startWebDoor, type WebDoor } from '../../../src/main/web/server';
import { generatedJpeg } from '../../helpers/data-fixtures';
import { makeTempDir } from '../../helpers/temp-dir';

const TOKEN = 'credentials-test-token-0123456789';

describe('web door credentials', () => {
  const temp = makeTempDir();
  const rendererDir = join(temp.path, 'renderer');
  let core: StudioCore;
  let door: WebDoor;
  let other: { core: StudioCore; door: WebDoor };
  let imageId: string;
  const auth = { Authorization: `Bearer ${TOKEN}` };

  beforeAll(async () => {
    mkdirSync(join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>nanoVLM Studio</title>');
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    core = createStudioCore({ dataDir: join(temp.path, 'data'), door: 'web' });
    door = await startWebDoor({ core, token: TOKEN, rendererDir });
    const otherCore = createStudioCore({ dataDir: join(temp.path, 'data-2'), door: 'web' });
    other = { core: otherCore, door: await startWebDoor({ core: otherCore, token: 'another-studio-token-98765', rendererDir }) };
    const bytes = await generatedJpeg(7);
    imageId = ((await core.call('images.add', { dataBase64: bytes.toString('base64') })) as { id: string }).id;
  });

  afterAll(async () => {
    await door.close();
    await other.door.close();
    core.close();
    other.core.close();
    temp.remove();
  });

  const pageCookieOf = async (d: WebDoor, token: string) => {
    const response = await fetch(`${d.origin}/?token=${token}`);
    expect(response.status).toBe(200);
    return response.headers.get('set-cookie')!.split(';')[0]!;
  };
  const call = (headers: Record<string, string>) =>
    fetch(`${door.origin}/api/call`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ method: 'system.info', input: {} }),
    });

  it('never puts the token in a cookie: the page cookie is named after the port and opens only the renderer files', async () => {
    const cookie = await pageCookieOf(door, TOKEN);
    const [name, value] = cookie.split('=') as [string, string];
    expect(name).toBe(`studio_page_${new URL(door.origin).port}`);
    expect(value).not.toContain(TOKEN);
    expect((await fetch(`${door.origin}/assets/app.js`, { headers: { Cookie: cookie } })).status).toBe(200);
    expect((await call({ Cookie: cookie })).status).toBe(401);
    expect((await fetch(`${door.origin}/api/events`, { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await fetch(`${door.origin}/api/session`, { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await fetch(`${door.origin}/media/thumb/${imageId}`, { headers: { Cookie: cookie } })).status).toBe(401);
  });

  it('gives a second studio on another port its own cookie name, so neither logs the other out', async () => {
    const mine = await pageCookieOf(door, TOKEN);
    const theirs = await pageCookieOf(other.door, 'another-studio-token-98765');
    expect(mine.split('=')[0]).not.toBe(theirs.split('=')[0]);
    // a browser holds both cookies and sends both to each port: each studio still serves its page
    const both = `${mine}; ${theirs}`;
    expect((await fetch(`${door.origin}/`, { headers: { Cookie: both } })).status).toBe(200);
    expect((await fetch(`${other.door.origin}/`, { headers: { Cookie: both } })).status).toBe(200);
  });

  it('hands the page a media key that opens images and nothing else', async () => {
    const session = await fetch(`${door.origin}/api/session`, { headers: auth });
    const { result } = (await session.json()) as { result: { mediaKey: string } };
    expect(result.mediaKey).toMatch(/^[\w-]{20,}$/);
    expect(result.mediaKey).not.toContain(TOKEN);
    const thumb = await fetch(`${door.origin}/media/thumb/${imageId}?k=${result.mediaKey}`);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect((await fetch(`${door.origin}/media/image/${imageId}?k=${result.mediaKey}`)).status).toBe(200);
    expect((await fetch(`${door.origin}/media/image/${imageId}?k=${result.mediaKey}x`)).status).toBe(401);
    expect(
      (
        await fetch(`${door.origin}/api/call?k=${result.mediaKey}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"method":"system.info"}',
        })
      ).status,
    ).toBe(401);
    expect((await fetch(`${door.origin}/?k=${result.mediaKey}`)).status).toBe(401);
  });

  it('never redirects, so no address can send the browser elsewhere', async () => {
    for (const path of ['/.//evil.example/x', '//evil.example/', '/\\evil.example/', '/./%2f%2fevil.example']) {
      const response = await fetch(`${door.origin}${path}?token=${TOKEN}`, { redirect: 'manual' });
      expect(response.status >= 300 && response.status < 400, `${path}: ${response.status}`).toBe(false);
      expect(response.headers.get('location'), path).toBeNull();
    }
  });

  it('answers 413 to a body over the limit, declared or streamed, and keeps serving', async () => {
    const big = Buffer.alloc(MAX_BODY_BYTES + 1024 * 1024, 0x20);
    const declared = await fetch(`${door.origin}/api/call`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...auth }, body: big });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'body' } });
    const streamed = await new Promise<number>((resolve, reject) => {
      const url = new URL(door.origin);
      const req = request(
        { host: url.hostname, port: url.port, path: '/api/call', method: 'POST', headers: { 'Content-Type': 'application/json', ...auth } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      Readable.from(
        (function* () {
          for (let i = 0; i < 72; i++) yield Buffer.alloc(1024 * 1024, 0x20);
        })(),
      ).pipe(req);
    });
    expect(streamed).toBe(413);
    expect((await call(auth)).status).toBe(200);
  });
});
