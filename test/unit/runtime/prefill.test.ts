// Prefill on attach on the three fixture families: after the photo is prefilled, the question runs
// only its own positions (no vision encoder), and the greedy answer is the one a cold start gives;
// a prefill requested while an answer is generating waits for it to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildByteTokenizerConfig, buildByteTokenizerJson } from '../../../src/main/model/byte-tokenizer';
import { NanoVLMTokenizer } from '../../../src/main/model/tokenizer';
import { answer } from '../../../src/main/runtime/answer';
import { prefillAnswer } from '../../../src/main/runtime/answer-prefill';
import { VlmEngine } from '../../../src/main/runtime/vlm-engine';
import { PHOTOS } from '../../helpers/data-fixtures';
import { exportFixture, FAMILIES, removeDir } from '../onnx/fixtures';
import { join } from 'node:path';

const CHELSEA = join(PHOTOS, 'chelsea.png');
const COFFEE = join(PHOTOS, 'coffee.png');
const greedy = { greedy: true, maxNewTokens: 10 };

describe.each(FAMILIES)('%s fixture', (family) => {
  let engine: VlmEngine;
  let tokenizer: NanoVLMTokenizer;
  let dir: string;
  let encoded = 0;

  beforeAll(async () => {
    dir = exportFixture(family, {});
    engine = await VlmEngine.load(dir, { provider: 'cpu', threads: 1 });
    tokenizer = NanoVLMTokenizer.fromJson(buildByteTokenizerJson(), buildByteTokenizerConfig() as Record<string, unknown>, engine.config);
    const encode = engine.encodeImages.bind(engine);
    engine.encodeImages = (pixels, tiles) => (encoded++, encode(pixels, tiles));
  });
  afterAll(async () => {
    await engine.dispose();
    removeDir(dir);
  });

  const cold = async (turns: { user: string; assistant?: string }[], images: string[]) => {
    engine.promptCache.clear();
    return answer(engine, tokenizer, { turns, images, ...greedy });
  };

  it('the question runs only its own positions after the photo was prefilled, and answers as a cold start does', async () => {
    const question = [{ user: 'What is in the photo?' }];
    const reference = await cold(question, [CHELSEA]);
    expect(reference.reusedPositions).toBe(0);

    engine.promptCache.clear();
    expect(await prefillAnswer(engine, tokenizer, { turns: [], images: [CHELSEA] })).toBe('done');
    encoded = 0;
    const warm = await answer(engine, tokenizer, { turns: question, images: [CHELSEA], ...greedy });
    expect(encoded).toBe(0);
    expect(warm.tokenIds).toEqual(reference.tokenIds);
    expect(warm.promptPositions).toBe(reference.promptPositions);
    // every image row and the template before the question came from the prefill
    expect(warm.reusedPositions).toBeGreaterThan(engine.config.mp_image_token_length);
    expect(warm.promptPositions - warm.reusedPositions).toBeLessThanOrEqual(question[0]!.user.length + 16);
  });

  if (family !== 'prefix')
    it('a next turn that adds a photo is prefilled with the chat so far and answers as a cold start does', async () => {
      const first = await cold([{ user: 'What is it?' }], [CHELSEA]);
      const turns = [{ user: 'What is it?', assistant: first.text }, { user: 'And this one?' }];
      const reference = await cold(turns, [CHELSEA, COFFEE]);

      engine.promptCache.clear();
      await answer(engine, tokenizer, { turns: turns.slice(0, 1).map((t) => ({ user: t.user })), images: [CHELSEA], ...greedy });
      expect(await prefillAnswer(engine, tokenizer, { turns: turns.slice(0, 1), images: [CHELSEA, COFFEE] })).toBe('done');
      encoded = 0;
      const warm = await answer(engine, tokenizer, { turns, images: [CHELSEA, COFFEE], ...greedy });
      expect(encoded).toBe(0);
      expect(warm.tokenIds).toEqual(reference.tokenIds);
      expect(warm.promptPositions - warm.reusedPositions).toBeLessThanOrEqual(turns[1]!.user.length + 16);
    });

  it('a prefill asked for while an answer generates starts after its last token', async () => {
    engine.promptCache.clear();
    const runs: string[] = [];
    const step = engine.decoder.step.bind(engine.decoder);
    engine.decoder.step = (embeds, length, cache, k) => (runs.push(length === 1 ? 'token' : 'prompt'), step(embeds, length, cache, k));
    try {
      let prefilled: Promise<string> | undefined;
      const generating = answer(engine, tokenizer, {
        turns: [{ user: 'Describe it.' }],
        images: [COFFEE],
        greedy: true,
        maxNewTokens: 12,
        onToken: () => (prefilled ??= prefillAnswer(engine, tokenizer, { turns: [], images: [CHELSEA] })),
      });
      const generated = await generating;
      expect(await prefilled).toBe('done');
      expect(generated.tokenIds.length).toBe(12);
      // the answer's prompt, its 11 further tokens, then the prefill's prompt
      expect(runs).toEqual(['prompt', ...new Array<string>(11).fill('token'), 'prompt']);
    } finally {
      engine.decoder.step = step;
    }
  });

  it('a prefill cancelled while it encodes the photo runs no decoder, and the answer is unchanged', async () => {
    const question = [{ user: 'Colour?' }];
    const reference = await cold(question, [COFFEE]);
    engine.promptCache.clear();
    const controller = new AbortController();
    const encode = engine.encodeImages;
    const step = engine.decoder.step.bind(engine.decoder);
    let decoderRuns = 0;
    engine.encodeImages = (pixels, tiles) => (controller.abort(), encode(pixels, tiles));
    engine.decoder.step = (...args) => (decoderRuns++, step(...args));
    try {
      expect(await prefillAnswer(engine, tokenizer, { turns: [], images: [COFFEE] }, controller.signal)).toBe('cancelled');
      expect(decoderRuns).toBe(0);
    } finally {
      engine.encodeImages = encode;
      engine.decoder.step = step;
    }
    const after = await answer(engine, tokenizer, { turns: question, images: [COFFEE], ...greedy });
    expect(after.tokenIds).toEqual(reference.tokenIds);
  });
});
