// Parity with nanoVLM's PyTorch code on the golden fixtures, fp32 on CPU: vision_out, mp_out and
// logits at every position within 1e-4, through both the fused and the plain-op export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VlmEngine } from '../../../src/main/runtime/vlm-engine';
import { exportFixture, FAMILIES, loadFixture, maxAbsDiff, removeDir } from './fixtures';

const TOLERANCE = 1e-4;

describe.each(FAMILIES)('%s fixture', (family) => {
  const fixture = loadFixture(family);
  const engines: Record<string, VlmEngine> = {};
  const dirs: string[] = [];

  beforeAll(async () => {
    for (const graph of ['fused', 'plain'] as const) {
      const dir = exportFixture(family, { graph, allLogits: true });
      dirs.push(dir);
      engines[graph] = await VlmEngine.load(dir, { provider: 'cpu', threads: 1 });
    }
  });
  afterAll(async () => {
    await Promise.all(Object.values(engines).map((e) => e.dispose()));
    dirs.forEach(removeDir);
  });

  it.each(['fused', 'plain'])('%s graph matches vision_out, mp_out and every logit', async (graph) => {
    const result = await engines[graph]!.forward(fixture.inputIds, fixture.pixels, fixture.tiles);
    expect(maxAbsDiff(result.visionOut, fixture.visionOut)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(result.mpOut, fixture.mpOut)).toBeLessThan(TOLERANCE);
    expect(result.logits.length).toBe(fixture.logits.length);
    expect(maxAbsDiff(result.logits, fixture.logits)).toBeLessThan(TOLERANCE);
  });
});
