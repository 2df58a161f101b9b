// The GPU check (`npm run check:gpu`) as a borrowed GPU machine would run it: packed into a folder
// of at most 60 MB and run from there with no repository, no npm and a bare environment, on the
// WebGPU provider over lavapipe (here a software adapter, so asked for with --software). Also: no
// GPU provider is a clear exit status, and a pack never lands in a folder that holds something.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { PACK_LIMIT_BYTES, packGpuCheck } from '../../../bench/gpu-check/pack';
import { onWebGpu, WEBGPU_AVAILABLE } from '../../helpers/webgpu';

const run = promisify(execFile);
const CHECK = join(import.meta.dirname, '..', '..', '..', 'bench', 'check-gpu.ts');
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'nanovlm-gpu-check-test-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Report {
  ok: boolean;
  providers: { provider: string; device: string; software: boolean; parity: { name: string; ok: boolean }[]; error?: string }[];
  passed_over: string[];
}

describe('the GPU check', () => {
  it('exits 2 and says why when no GPU provider can be checked', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', CHECK, '--providers', 'cuda', '--json'], { encoding: 'utf8' }).catch(
      (err: { code: number; stdout: string }) => err,
    );
    expect('code' in result ? result.code : 0).toBe(2);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.ok).toBe(false);
    expect(report.passed_over.join('\n')).toMatch(/^cuda: .*CUDA provider library/m);
  });

  it('refuses to pack into a folder that holds something, and leaves it as it was', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await expect(packGpuCheck(dir, { fast: true }, () => {})).rejects.toThrow(/not empty/);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it.skipIf(!WEBGPU_AVAILABLE)(
    onWebGpu('packs into at most 60 MB and passes from that folder alone, in a bare environment'),
    async () => {
      const pack = join(tempDir(), 'gpu-check');
      const bytes = await packGpuCheck(pack, { fast: true }, () => {});
      expect(bytes).toBeLessThanOrEqual(PACK_LIMIT_BYTES);
      const args = [join(pack, 'run.sh'), '--software', '--families', 'prefix', '--variants', 'fused', '--parity-only', '--json'];
      // no Node on PATH, no node_modules above the folder: only sh, gzip and the pack
      const { stdout, stderr } = await run('sh', args, {
        cwd: tempDir(),
        env: { PATH: '/usr/bin:/bin', HOME: tempDir() },
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      const report = JSON.parse(stdout) as Report;
      expect(report.providers.map((p) => [p.provider, p.software, p.error])).toEqual([['webgpu', true, undefined]]);
      expect(report.providers[0]!.device).toMatch(/software adapter/);
      expect(report.providers[0]!.parity.length).toBeGreaterThanOrEqual(8);
      expect(report.providers[0]!.parity.filter((c) => !c.ok)).toEqual([]);
      expect(report.ok).toBe(true);
      expect(stderr).toMatch(/GPU check passed/);
    },
    900_000,
  );
});
