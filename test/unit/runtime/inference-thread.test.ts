// Models on the inference thread (threaded-model.ts): while the studio core is open, a CPU model's
// sessions and KV caches live on a worker thread, so that its runs never hold the core's event
// loop. Answers must be exactly those of sessions on the calling thread, the prompt cache must work
// through the cache handles, errors must come back with their message, and the thread must end
// when its last user lets go.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnginePool } from '../../../src/main/chat/engine-pool';
import { EventBus } from '../../../src/main/core/event-bus';
import { JobManager } from '../../../src/main/core/jobs';
import type { ModelRegistry } from '../../../src/main/registry/model-registry';
import { DecoderSession } from '../../../src/main/runtime/decoder-session';
import { generate } from '../../../src/main/runtime/generate';
import { imageRowKeys } from '../../../src/main/runtime/prompt-cache';
import { InferenceThreadEnded, useInferenceThread } from '../../../src/main/runtime/threaded-model';
import { VlmEngine } from '../../../src/main/runtime/vlm-engine';
import { exportFixture, FAMILIES, loadFixture, removeDir } from '../onnx/fixtures';

const DEMO_MODEL = join(import.meta.dirname, '..', '..', '..', 'resources', 'demo-model');

describe.each(FAMILIES)('%s fixture on the inference thread', (family) => {
  const fixture = loadFixture(family);
  const dirs = { fused: exportFixture(family, {}), full: exportFixture(family, { allLogits: true }) };
  let here: VlmEngine;
  let hereFull: VlmEngine;
  let threaded: VlmEngine;
  let threadedFull: VlmEngine;
  let release: () => Promise<void>;

  beforeAll(async () => {
    [here, hereFull] = await Promise.all([
      VlmEngine.load(dirs.fused, { provider: 'cpu', threads: 1 }),
      VlmEngine.load(dirs.full, { provider: 'cpu', threads: 1 }),
    ]);
    release = useInferenceThread();
    [threaded, threadedFull] = await Promise.all([
      VlmEngine.load(dirs.fused, { provider: 'cpu', threads: 1 }),
      VlmEngine.load(dirs.full, { provider: 'cpu', threads: 1 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([here, hereFull, threaded, threadedFull].map((e) => e?.dispose()));
    await release?.();
    Object.values(dirs).forEach(removeDir);
  });

  const request = () => ({ inputIds: fixture.inputIds, pixels: fixture.pixels, tiles: fixture.tiles });
  const greedy = { greedy: true, maxNewTokens: fixture.greedyIds.length, stopTokenIds: [fixture.eosTokenId] };

  it('runs there, and answers exactly as sessions on this thread do', async () => {
    expect(here.decoder).toBeInstanceOf(DecoderSession);
    expect(threaded.decoder).not.toBeInstanceOf(DecoderSession);
    const [mine, theirs] = [await generate(here, request(), greedy), await generate(threaded, request(), greedy)];
    expect(theirs.tokenIds).toEqual(mine.tokenIds);
    expect(theirs.tokenIds).toEqual(fixture.greedyIds.slice(0, theirs.tokenIds.length));
    const [theirForward, myForward] = await Promise.all([
      threadedFull.forward(fixture.inputIds, fixture.pixels, fixture.tiles),
      hereFull.forward(fixture.inputIds, fixture.pixels, fixture.tiles),
    ]);
    expect(theirForward.logits).toEqual(myForward.logits);
    expect(theirForward.visionOut).toEqual(myForward.visionOut);
  });

  it('keeps the prompt cache through its handles: the next turn runs only its new positions', async () => {
    const keys = imageRowKeys('fixture', fixture.tiles * threaded.config.mp_image_token_length);
    const first = await generate(threaded, { ...request(), imageRowKeys: keys }, { ...greedy, stopTokenIds: [] });
    const nextTurn = [...fixture.inputIds, first.tokenIds[0]!, ...fixture.inputIds.slice(-3)];
    const second = await generate(threaded, { ...request(), inputIds: nextTurn, imageRowKeys: keys }, { ...greedy, stopTokenIds: [] });
    expect(second.reusedPositions).toBe(first.promptPositions + 1);
    threaded.promptCache.clear();
    const fresh = await generate(here, { ...request(), inputIds: nextTurn }, { ...greedy, stopTokenIds: [] });
    expect(second.tokenIds).toEqual(fresh.tokenIds);
  });

  it('brings errors back with their message', async () => {
    const cache = threaded.decoder.newCache(4);
    await expect(threaded.decoder.run(new Float32Array(3), 1, cache)).rejects.toThrow(/^inputs_embeds: 3 values, expected \[1, 1, \d+\]$/);
    await expect(threaded.decoder.run(new Float32Array(3), 1, here.decoder.newCache(4))).rejects.toThrow(/not made by this decoder/);
  });
});

describe('the inference thread', () => {
  it('ends when its last user lets go; models then load on the calling thread', async () => {
    const dir = exportFixture('prefix', {});
    const fixture = loadFixture('prefix');
    const request = { inputIds: fixture.inputIds, pixels: fixture.pixels, tiles: fixture.tiles };
    try {
      const [first, second] = [useInferenceThread(), useInferenceThread()];
      const engine = await VlmEngine.load(dir, { provider: 'cpu', threads: 1 });
      expect(engine.decoder).not.toBeInstanceOf(DecoderSession);
      await first();
      await first(); // letting go twice counts once
      expect((await generate(engine, request, { greedy: true, maxNewTokens: 2, stopTokenIds: [] })).tokenIds).toHaveLength(2);
      await second();
      await expect(generate(engine, request, { greedy: true, maxNewTokens: 2, stopTokenIds: [] })).rejects.toThrow(InferenceThreadEnded);
      const after = await VlmEngine.load(dir, { provider: 'cpu', threads: 1 });
      expect(after.decoder).toBeInstanceOf(DecoderSession);
      await after.dispose();
    } finally {
      removeDir(dir);
    }
  });

  it('a model whose thread ended fails that request; the pool then loads it on a fresh thread', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nanovlm-inference-thread-'));
    const pool = new EnginePool({ dataDir, models: {} as ModelRegistry, jobs: new JobManager(new EventBus()) });
    const ref = { name: 'the demo model', folder: DEMO_MODEL, tokenizerFolder: DEMO_MODEL };
    const ask = () =>
      pool.withCheckpoint(ref, 'none', ({ engine }) => generate(engine, { inputIds: [1, 2, 3] }, { greedy: true, maxNewTokens: 2, stopTokenIds: [] }));
    try {
      const release = useInferenceThread();
      const before = (await ask()).tokenIds;
      await release(); // the thread ends under the loaded model
      const again = useInferenceThread();
      try {
        await expect(ask()).rejects.toThrow(InferenceThreadEnded);
        expect((await ask()).tokenIds).toEqual(before);
      } finally {
        await pool.dispose();
        await again();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
