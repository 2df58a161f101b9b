// `npm run serve` options that touch security: a token never on the command line (ps shows it),
// a wide bind warned about and still checking the Host header.
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, startStudioServer, type RunningStudio } from '../../helpers/studio-server';
import { makeTempDir } from '../../helpers/temp-dir';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function get(origin: string, host: string, path = '/'): Promise<number> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: url.port, path, headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

async function studio(extraArgs: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningStudio> {
  const running = await startStudioServer({ extraArgs, env });
  cleanups.push(() => running.stop());
  return running;
}

describe('npm run serve', () => {
  it('refuses --token on the command line and says where a token goes instead', () => {
    const dir = makeTempDir();
    cleanups.push(dir.remove);
    const result = spawnSync(
      process.execPath,
      ['scripts/serve.mjs', '--no-build', '--port', '0', '--data-dir', dir.path, '--token', 'visible-in-ps-0123456789'],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--token is not accepted: a command line is visible to every user of the machine \(ps\)/);
    expect(result.stderr).toContain('--token-file');
    expect(result.stderr).toContain('NANOVLM_STUDIO_TOKEN');
  });

  it('takes the token from --token-file, else from $NANOVLM_STUDIO_TOKEN', async () => {
    const dir = makeTempDir();
    cleanups.push(dir.remove);
    const file = join(dir.path, 'token');
    writeFileSync(file, 'token-from-a-file-0123456789\n');
    expect((await studio(['--token-file', file])).token).toBe('token-from-a-file-0123456789');
    expect((await studio([], { NANOVLM_STUDIO_TOKEN: 'token-from-the-environment-42' })).token).toBe('token-from-the-environment-42');
  });

  it('warns about a wide bind and still refuses foreign Host headers there', async () => {
    const running = await studio(['--host', '0.0.0.0']);
    expect(running.output()).toMatch(/WARNING: serving on 0\.0\.0\.0 over plain HTTP/);
    const port = new URL(running.url).port;
    expect(await get(`http://127.0.0.1:${port}`, 'evil.example')).toBe(403);
    expect(await get(`http://127.0.0.1:${port}`, `127.0.0.1:${port}`, `/?token=${running.token}`)).toBe(200);
  });
});
