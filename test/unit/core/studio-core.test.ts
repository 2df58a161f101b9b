// The core in plain Node: calls validated by the contract, one process per data folder.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/shared/api';
import { createStudioCore, type StudioCore } from '../../../src/main/core/studio-core';
import { AlreadyRunningError, LOCK_FILE } from '../../../src/main/data/instance-lock';
import { REPO_ROOT } from '../../helpers/studio-server';
import { makeTempDir } from '../../helpers/temp-dir';

const cleanups: (() => void)[] = [];
afterEach(() =>
  cleanups
    .splice(0)
    .reverse()
    .forEach((c) => c()),
);

function newCore(dataDir?: string): StudioCore {
  const dir = dataDir ?? makeTempDir().path;
  const core = createStudioCore({ dataDir: dir, door: 'web' });
  cleanups.push(() => core.close());
  return core;
}

describe('studio core', () => {
  it('answers system.info with versions, data folder and providers', async () => {
    const core = newCore();
    const info = (await core.call('system.info', {})) as Record<string, unknown>;
    expect(info).toMatchObject({ appName: 'nanoVLM Studio', door: 'web', dataFolder: core.dataDir, platform: process.platform });
    expect((info.versions as Record<string, string>).node).toBe(process.versions.node);
    expect(info.inference).toHaveProperty('chosen');
    expect(info.training).toHaveProperty('reason');
  });

  it('answers system.health', async () => {
    const health = (await newCore().call('system.health', {})) as { ok: boolean; checks: { name: string; ok: boolean }[] };
    expect(health.ok).toBe(true);
    expect(health.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['database', 'data folder']));
  });

  it('refuses unknown methods and names the offending field', async () => {
    const core = newCore();
    await expect(core.call('system.nope', {})).rejects.toMatchObject({ code: 'unknown_method' });
    const err = (await core.call('system.info', { surprise: 1 }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('invalid_input');
    expect(err.field).toBe('surprise');
    expect(err.message).toContain('"surprise"');
  });

  it('lets only one core use a data folder at a time, and takes over a stale lock', () => {
    const dir = makeTempDir();
    cleanups.push(dir.remove);
    const first = newCore(dir.path);
    expect(() => createStudioCore({ dataDir: dir.path, door: 'web' })).toThrow(AlreadyRunningError);
    first.close();
    // a lock left by a process that no longer exists is stale
    writeFileSync(join(dir.path, LOCK_FILE), '999999999');
    expect(() => newCore(dir.path)).not.toThrow();
  });

  it('makes a second studio process on the same folder say so and exit, leaving the first working', async () => {
    const dir = makeTempDir();
    cleanups.push(dir.remove);
    const core = newCore(dir.path);
    const second = spawn(process.execPath, ['scripts/serve.mjs', '--no-build', '--port', '0', '--data-dir', dir.path], { cwd: REPO_ROOT });
    let output = '';
    second.stdout.on('data', (d: Buffer) => (output += d.toString()));
    second.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    expect(code).toBe(1);
    expect(output).toMatch(/Another nanoVLM Studio \(pid \d+\) is already using the data folder/);
    const health = (await core.call('system.health', {})) as { ok: boolean };
    expect(health.ok).toBe(true);
  });
});
