// Generation on the fixture models: greedy ids equal nanoVLM's, cached decode equals full
// recomputation, text streams through the tokenizer's incremental decoder, and an AbortSignal stops it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildByteTokenizerConfig, buildByteTokenizerJson } from '../../../src/main/model/byte-tokenizer';
import { lmHeadDim } from '../../../src/main/model/config';
import { NanoVLMTokenizer } from '../../../src/main/model/tokenizer';
import { generate } from '../../../src/main/runtime/generate';
import { grownCapacity, HeadsKvCache, PositionsKvCache } from '../../../src/main/runtime/kv-cache';
import { imageRowKeys } from '../../../src/main/runtime/prompt-cache';
import { Sampler } from '../../../src/main/runtime/sampler';
import { VlmEngine } from '../../../src/main/runtime/vlm-engine';
import { exportFixture, FAMILIES, loadFixture, maxAbsDiff, removeDir } from '../onnx/fixtures';

describe.each(FAMILIES)('%s fixture', (family) => {
  const fixture = loadFixture(family);
  let fused: VlmEngine;
  let plain: VlmEngine;
  let full: VlmEngine; // every-position logits, for recomputation from scratch
  const dirs: string[] = [];

  beforeAll(async () => {
    const load = async (options: Parameters<typeof exportFixture>[1]) => {
      const dir = exportFixture(family, options);
      dirs.push(dir);
      return VlmEngine.load(dir, { provider: 'cpu', threads: 1 });
    };
    [fused, plain, full] = await Promise.all([load({}), load({ graph: 'plain' }), load({ allLogits: true })]);
  });
  afterAll(async () => {
    await Promise.all([fused, plain, full].map((e) => e?.dispose()));
    dirs.forEach(removeDir);
  });

  const request = () => ({ inputIds: fixture.inputIds, pixels: fixture.pixels, tiles: fixture.tiles });
  const greedy = { greedy: true, maxNewTokens: fixture.greedyIds.length, stopTokenIds: [fixture.eosTokenId] };

  it.each(['fused', 'plain'] as const)(
    '%s: the next turn reuses the cached prompt and answer, skips the vision encoder, and answers as a fresh run does',
    async (graph) => {
      const engine = graph === 'fused' ? fused : plain;
      const keys = imageRowKeys('fixture', fixture.tiles * engine.config.mp_image_token_length);
      const text = fixture.inputIds.filter((id) => id !== engine.imageTokenId).slice(-4);
      const first = await generate(engine, { ...request(), imageRowKeys: keys }, { ...greedy, stopTokenIds: [] });
      let encoded = 0;
      const encode = engine.encodeImages.bind(engine);
      engine.encodeImages = (pixels, tiles) => (encoded++, encode(pixels, tiles));
      try {
        // diverges after the first answer token: the cache is cut back to the prompt and that token
        const nextTurn = [...fixture.inputIds, first.tokenIds[0]!, ...text];
        const second = await generate(engine, { ...request(), inputIds: nextTurn, imageRowKeys: keys }, { ...greedy, stopTokenIds: [] });
        expect(second.reusedPositions).toBe(first.promptPositions + 1);
        expect(encoded).toBe(0);
        engine.promptCache.clear();
        const fresh = await generate(engine, { ...request(), inputIds: nextTurn }, { ...greedy, stopTokenIds: [] });
        expect(fresh.reusedPositions).toBe(0);
        expect(encoded).toBe(1);
        expect(second.tokenIds).toEqual(fresh.tokenIds);
      } finally {
        engine.encodeImages = encode;
        engine.promptCache.clear();
      }
    },
  );

  // prefix family: photos lead the sequence, so a second photo is appended after the cached one
  if (family === 'prefix')
    it('a turn that adds a photo encodes only the new one; the cached photo is reused', async () => {
      const L = fused.config.mp_image_token_length;
      const photo = imageRowKeys('photo-1', fixture.tiles * L);
      await generate(fused, { ...request(), imageRowKeys: photo }, { ...greedy, stopTokenIds: [] });
      const tiles: number[] = [];
      const encode = fused.encodeImages.bind(fused);
      fused.encodeImages = (pixels, count) => (tiles.push(count), encode(pixels, count));
      try {
        const twoPhotos = {
          inputIds: fixture.inputIds,
          pixels: Float32Array.of(...fixture.pixels, ...fixture.pixels.map((v) => 1 - v)),
          tiles: 2 * fixture.tiles,
        };
        const second = await generate(
          fused,
          { ...twoPhotos, imageRowKeys: [...photo, ...imageRowKeys('photo-2', fixture.tiles * L)] },
          { ...greedy, stopTokenIds: [] },
        );
        expect(second.reusedPositions).toBe(fixture.tiles * L);
        expect(tiles).toEqual([fixture.tiles]);
        fused.promptCache.clear();
        const fresh = await generate(fused, twoPhotos, { ...greedy, stopTokenIds: [] });
        expect(second.tokenIds).toEqual(fresh.tokenIds);
      } finally {
        fused.encodeImages = encode;
        fused.promptCache.clear();
      }
    });

  it("stops at the model's context length instead of failing", async () => {
    const result = await generate(fused, request(), { ...greedy, maxNewTokens: 5000, stopTokenIds: [] });
    expect(result.stopReason).toBe('max_tokens');
    expect(result.promptPositions + result.tokenIds.length).toBe(fused.config.lm_max_position_embeddings);
  });

  it('greedy ids equal nanoVLM (fused and plain graphs)', async () => {
    expect((await generate(fused, request(), greedy)).tokenIds).toEqual(fixture.greedyIds);
    expect((await generate(plain, request(), greedy)).tokenIds).toEqual(fixture.greedyIds);
  });

  it("the fused graph's candidates are the last position's best logits, sorted, ties to the lower id", async () => {
    const V = fused.config.lm_vocab_size;
    const images = await fused.encodeImages(fixture.pixels, fixture.tiles);
    const prompt = fused.assemble(fixture.inputIds, images);
    const logits = await fused.decoder.run(prompt.data, prompt.length, fused.decoder.newCache(prompt.length));
    const next = await fused.decoder.step(prompt.data, prompt.length, fused.decoder.newCache(prompt.length), V + 10);
    if (!('candidates' in next)) throw new Error('the fused graph returned logits instead of candidates');
    const order = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]! || a - b);
    expect(next.candidates.ids).toEqual(order);
    expect(Array.from(next.candidates.scores)).toEqual(order.map((id) => logits[id]!));
    expect(await plain.decoder.step(prompt.data, prompt.length, plain.decoder.newCache(), 5)).toHaveProperty('logits');
  });

  it("a sampled answer from the graph's candidates equals sampling the whole logits row with the same seed", async () => {
    const settings = { temperature: 1.5, topK: 20, topP: 0.95, seed: 11 };
    const answer = await generate(fused, request(), { ...settings, maxNewTokens: 12, stopTokenIds: [] });
    const sampler = new Sampler(settings, fused.config.lm_vocab_size);
    const cache = fused.decoder.newCache();
    const prompt = fused.assemble(fixture.inputIds, await fused.encodeImages(fixture.pixels, fixture.tiles));
    let logits = await fused.decoder.run(prompt.data, prompt.length, cache);
    const ids: number[] = [];
    while (ids.length < 12) {
      ids.push(sampler.next(logits, [...fixture.inputIds, ...ids]));
      logits = await fused.decoder.run(fused.embedding.matrix.slice(ids.at(-1)! * fused.embedding.dim, (ids.at(-1)! + 1) * fused.embedding.dim), 1, cache);
    }
    expect(answer.tokenIds).toEqual(ids);
  });

  it('the cache buffers grow by an eighth when full and shrink when cut far back', async () => {
    expect(grownCapacity(0, 113, 8192)).toBe(128);
    expect(grownCapacity(128, 129, 8192)).toBe(160);
    expect(grownCapacity(1024, 1025, 8192)).toBe(1152);
    expect(grownCapacity(8160, 8170, 8192)).toBe(8192);
    const cache = fused.decoder.newCache(3) as PositionsKvCache;
    expect(cache).toBeInstanceOf(PositionsKvCache);
    const D = fused.embedding.dim;
    await fused.decoder.run(new Float32Array(70 * D).fill(0.1), 70, cache);
    expect(cache.positionsAllocated).toBe(96);
    await fused.decoder.run(new Float32Array(30 * D).fill(0.1), 30, cache);
    expect(cache.positionsAllocated).toBe(128);
    cache.truncate(5);
    expect(cache.positionsAllocated).toBe(32);
    expect(cache.length).toBe(5);

    const c = fused.config;
    const heads = new HeadsKvCache({ layers: c.lm_n_blocks, kvHeads: c.lm_n_kv_heads, headDim: lmHeadDim(c) }, 8192, 3);
    heads.bind({}, {}, 129);
    expect(heads.positionsAllocated).toBe(160);
    heads.bind({}, {}, 161);
    expect(heads.positionsAllocated).toBe(192);
  });

  it('cached decode equals full recomputation at every step (buffered cache growing as it fills)', async () => {
    const V = fused.config.lm_vocab_size;
    const images = await fused.encodeImages(fixture.pixels, fixture.tiles);
    const cache = fused.decoder.newCache(1);
    const prompt = fused.assemble(fixture.inputIds, images);
    let cached = await fused.decoder.run(prompt.data, prompt.length, cache);
    const ids = [...fixture.inputIds];
    for (const next of fixture.greedyIds) {
      const recomputed = await full.forward(ids, fixture.pixels, fixture.tiles);
      expect(maxAbsDiff(cached, recomputed.logits.subarray(recomputed.logits.length - V))).toBeLessThan(1e-4);
      ids.push(next);
      cached = await fused.decoder.run(fused.embedding.matrix.slice(next * fused.embedding.dim, (next + 1) * fused.embedding.dim), 1, cache);
    }
    expect(cache.length).toBe(prompt.length + fixture.greedyIds.length);
  });
});

describe('streaming and cancelling', () => {
  const fixture = loadFixture('inline');
  let engine: VlmEngine;
  let dir: string;
  let tokenizer: NanoVLMTokenizer;

  beforeAll(async () => {
    dir = exportFixture('inline', {});
    engine = await VlmEngine.load(dir, { provider: 'cpu', threads: 1 });
    tokenizer = NanoVLMTokenizer.fromJson(buildByteTokenizerJson(), buildByteTokenizerConfig() as Record<string, unknown>, engine.config);
  });
  afterAll(async () => {
    await engine.dispose();
    removeDir(dir);
  });

  const request = () => ({ inputIds: fixture.inputIds, pixels: fixture.pixels, tiles: fixture.tiles });

  it('streams text deltas that add up to the decoded answer, with timings', async () => {
    const deltas: string[] = [];
    const result = await generate(engine, request(), {
      temperature: 0.8,
      topK: 50,
      topP: 0.95,
      seed: 7,
      maxNewTokens: 24,
      stopTokenIds: [],
      detokenizer: tokenizer.streamingDecoder(),
      onText: (d) => deltas.push(d),
    });
    expect(result.tokenIds).toHaveLength(24);
    expect(deltas.join('')).toBe(result.text);
    expect(result.text).toBe(tokenizer.decode(result.tokenIds));
    expect(result.ttftMs).toBeGreaterThan(0);
    expect(result.decodeTokensPerSecond).toBeGreaterThan(0);
    expect(result.stopReason).toBe('max_tokens');
  });

  it('the same seed gives the same answer', async () => {
    const options = { temperature: 1.2, topP: 0.9, seed: 42, maxNewTokens: 12, stopTokenIds: [] };
    const a = await generate(engine, request(), options);
    const b = await generate(engine, request(), options);
    expect(a.tokenIds).toEqual(b.tokenIds);
  });

  it('stops between tokens when the signal aborts', async () => {
    const controller = new AbortController();
    let seen = 0;
    const result = await generate(engine, request(), {
      greedy: true,
      maxNewTokens: 50,
      stopTokenIds: [],
      signal: controller.signal,
      onToken: () => {
        if (++seen === 3) setImmediate(() => controller.abort());
      },
    });
    expect(result.stopReason).toBe('cancelled');
    expect(result.tokenIds.length).toBeGreaterThanOrEqual(3);
    expect(result.tokenIds.length).toBeLessThan(50);
  });

  it('stops at the end token without emitting it', async () => {
    const first = (await generate(engine, request(), { greedy: true, maxNewTokens: 3, stopTokenIds: [] })).tokenIds;
    const result = await generate(engine, request(), { greedy: true, maxNewTokens: 3, stopTokenIds: [first[1]!] });
    expect(result.stopReason).toBe('eos');
    expect(result.tokenIds).toEqual([first[0]]);
  });
});
