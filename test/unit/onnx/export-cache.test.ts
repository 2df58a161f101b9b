// Cached exports: built in a worker thread (TypeScript through tsx), reused while the checkpoint
// is unchanged, rebuilt (and the stale export removed) when its content changes.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureExport } from '../../../src/main/onnx/export-cache';
import type { ExportProgress } from '../../../src/main/onnx/export';
import { FIXTURES, removeDir } from './fixtures';

const work = mkdtempSync(join(tmpdir(), 'nanovlm-export-cache-'));
afterAll(() => removeDir(work));

describe('ensureExport', () => {
  const checkpoint = join(work, 'checkpoint');
  mkdirSync(checkpoint);
  for (const f of ['config.json', 'model.safetensors']) copyFileSync(join(FIXTURES, 'prefix', f), join(checkpoint, f));
  const cacheDir = join(work, 'cache');

  it('builds in a worker with progress, then reuses, then rebuilds after a change', async () => {
    const progress: ExportProgress[] = [];
    const first = await ensureExport(checkpoint, { quant: 'int8' }, { cacheDir, onProgress: (p) => progress.push(p) });
    expect(first.cached).toBe(false);
    expect(first.manifest.options.quant).toBe('int8');
    expect(first.manifest.checkpointHash).toMatch(/^[0-9a-f]{64}$/);
    expect(progress.map((p) => p.stage)).toEqual(['vision', 'decoder', 'embeddings', 'done']);
    for (const f of ['vision.onnx', 'vision.onnx.data', 'decoder.onnx', 'decoder.onnx.data', 'embed_tokens.f32'])
      expect(existsSync(join(first.dir, f))).toBe(true);

    const again = await ensureExport(checkpoint, { quant: 'int8' }, { cacheDir });
    expect(again).toMatchObject({ dir: first.dir, cached: true });

    const other = await ensureExport(checkpoint, { quant: 'none' }, { cacheDir });
    expect(other.dir).not.toBe(first.dir);

    const config = JSON.parse(readFileSync(join(checkpoint, 'config.json'), 'utf8'));
    writeFileSync(join(checkpoint, 'config.json'), JSON.stringify({ ...config, lm_rms_eps: 1e-6 }));
    const rebuilt = await ensureExport(checkpoint, { quant: 'int8' }, { cacheDir });
    expect(rebuilt.cached).toBe(false);
    expect(rebuilt.dir).not.toBe(first.dir);
    expect(rebuilt.manifest.config.lm_rms_eps).toBe(1e-6);
    expect(existsSync(first.dir)).toBe(false); // stale export of the same folder and options removed
    expect(existsSync(other.dir)).toBe(true);
  });

  it('reports a failing export with the checkpoint named', async () => {
    const broken = join(work, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'config.json'), '{}');
    writeFileSync(join(broken, 'model.safetensors'), Buffer.alloc(16));
    await expect(ensureExport(broken, {}, { cacheDir })).rejects.toThrow(/broken/);
  });

  it('cancels with an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(ensureExport(checkpoint, { quant: 'int4' }, { cacheDir, signal: controller.signal })).rejects.toThrow(/cancelled/);
  });
});
