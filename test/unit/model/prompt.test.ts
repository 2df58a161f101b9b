import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGenerationIds, buildTrainingSequence, IGNORE_INDEX, imageString, PromptError, shiftLabels } from '../../../src/main/model/prompt';
import { imageTokenCount } from '../../../src/main/model/family';
import { SafetensorsFile } from '../../../src/main/model/safetensors';
import { FIXTURES_DIR, fixtureTokenizer } from '../../helpers/byte-tokenizer-fixture';

function fixtureIds(family: string, name: string): number[] {
  return SafetensorsFile.open(join(FIXTURES_DIR, family, 'expected.safetensors')).readInts(name);
}

/** The labelled ids of a training sequence, decoded. */
function labelledText(tokenizer: ReturnType<typeof fixtureTokenizer>['tokenizer'], labels: number[]): string {
  return tokenizer.decode(labels.filter((l) => l !== IGNORE_INDEX));
}

describe('image string', () => {
  it('split, grid 2×2: the layout of split/expected.safetensors input_ids', () => {
    const { spec, tokenizer } = fixtureTokenizer('split');
    const ids = tokenizer.encode(imageString(spec, [[2, 2]]));
    const expected = fixtureIds('split', 'input_ids');
    expect(ids).toEqual(expected.slice(0, ids.length));
    expect(ids).toHaveLength(imageTokenCount(spec, [[2, 2]]) + 5);
  });

  it('split, grid 1×1: global token and one block; several images are numbered', () => {
    const { spec } = fixtureTokenizer('split');
    const block = '<|image|>'.repeat(4);
    expect(imageString(spec, [[1, 1]])).toBe(`<|global_image|>${block}`);
    expect(
      imageString(spec, [
        [1, 1],
        [1, 2],
      ]),
    ).toBe(`<image: 0><|global_image|>${block}<image: 1><|global_image|>${block}<row_1_col_1>${block}<row_1_col_2>${block}`);
  });

  it('inline: L placeholders (the layout of inline/expected.safetensors); prefix: none', () => {
    const inline = fixtureTokenizer('inline');
    const ids = inline.tokenizer.encode(imageString(inline.spec, [[1, 1]]));
    expect(ids).toEqual(fixtureIds('inline', 'input_ids').slice(0, 4));
    expect(imageString(fixtureTokenizer('prefix').spec, [[1, 1]])).toBe('');
  });
});

describe('generation prompts', () => {
  it('prefix: Question/Answer text only', () => {
    const { spec, tokenizer } = fixtureTokenizer('prefix');
    const ids = buildGenerationIds(spec, tokenizer, { texts: [{ user: 'What is it?' }], imageGrids: [[1, 1]] });
    expect(tokenizer.decode(ids)).toBe('Question: What is it? Answer:');
  });

  it('inline: placeholders first, then Question/Answer', () => {
    const { spec, tokenizer } = fixtureTokenizer('inline');
    const ids = buildGenerationIds(spec, tokenizer, { texts: [{ user: 'Cat?' }], imageGrids: [[1, 1]] });
    expect(ids.slice(0, 4)).toEqual([256, 256, 256, 256]);
    expect(tokenizer.decode(ids.slice(4))).toBe('Question: Cat? Answer:');
  });

  it('split: ChatML with the image string in the first user turn and the generation prompt', () => {
    const { spec, tokenizer } = fixtureTokenizer('split');
    const ids = buildGenerationIds(spec, tokenizer, {
      texts: [{ user: 'What animal?', assistant: 'A cat.' }, { user: 'Colour?' }],
      imageGrids: [[2, 2]],
    });
    const text = tokenizer.decode(ids);
    const images = imageString(spec, [[2, 2]]);
    expect(text).toBe(
      `<|im_start|>user\n${images}What animal?<|im_end|>\n<|im_start|>assistant\nA cat.<|im_end|>\n<|im_start|>user\nColour?<|im_end|>\n<|im_start|>assistant\n`,
    );
  });

  it('refuses malformed conversations', () => {
    const { spec, tokenizer } = fixtureTokenizer('split');
    expect(() => buildGenerationIds(spec, tokenizer, { texts: [{ user: 'q', assistant: 'a' }], imageGrids: [] })).toThrow(PromptError);
    expect(() => buildGenerationIds(spec, tokenizer, { texts: [], imageGrids: [] })).toThrow(/at least one turn/);
    expect(() => buildTrainingSequence(spec, tokenizer, { texts: [{ user: 'q' }], imageGrids: [] })).toThrow(/needs an answer/);
    const prefix = fixtureTokenizer('prefix');
    expect(() =>
      buildGenerationIds(prefix.spec, prefix.tokenizer, {
        texts: [{ user: 'q' }],
        imageGrids: [
          [1, 1],
          [1, 1],
        ],
      }),
    ).toThrow(/one image/);
  });
});

describe('training sequences', () => {
  it('shiftLabels reproduces the fixtures train_targets from answer-position labels', () => {
    for (const family of ['prefix', 'inline', 'split']) {
      const ids = fixtureIds(family, 'train_input_ids');
      const targets = fixtureIds(family, 'train_targets');
      const promptLength = targets.findIndex((t) => t !== IGNORE_INDEX) + 1;
      const labels = ids.map((id, t) => (t >= promptLength ? id : IGNORE_INDEX));
      expect(shiftLabels(labels)).toEqual(targets);
    }
  });

  it('prefix and inline: targets on the answer and the eos after it', () => {
    for (const family of ['prefix', 'inline'] as const) {
      const { spec, tokenizer } = fixtureTokenizer(family);
      const conversation = { texts: [{ user: 'What is it?', assistant: 'A cat' }], imageGrids: [[1, 1]] as const };
      const seq = buildTrainingSequence(spec, tokenizer, conversation);
      const prompt = buildGenerationIds(spec, tokenizer, { texts: [{ user: 'What is it?' }], imageGrids: [[1, 1]] });
      expect(seq.inputIds.slice(0, prompt.length)).toEqual(prompt);
      expect(seq.inputIds.at(-1)).toBe(tokenizer.eosTokenId);
      expect(labelledText(tokenizer, seq.labels)).toBe('A cat<|im_end|>');
      expect(seq.labels.slice(0, prompt.length).every((l) => l === IGNORE_INDEX)).toBe(true);
      expect(seq.targets).toEqual(shiftLabels(seq.labels));
      expect(seq.targets[prompt.length - 1]).toBe(seq.inputIds[prompt.length]);
      expect(seq.targets.at(-1)).toBe(IGNORE_INDEX);
    }
  });

  it('split: targets on each answer and the <|im_end|>\\n after it', () => {
    const { spec, tokenizer } = fixtureTokenizer('split');
    const seq = buildTrainingSequence(spec, tokenizer, {
      texts: [
        { user: 'What animal?', assistant: 'A cat.' },
        { user: 'Colour?', assistant: 'Orange' },
      ],
      imageGrids: [[2, 2]],
    });
    expect(labelledText(tokenizer, seq.labels)).toBe('A cat.<|im_end|>\nOrange<|im_end|>\n');
    const generation = buildGenerationIds(spec, tokenizer, {
      texts: [{ user: 'What animal?', assistant: 'A cat.' }, { user: 'Colour?' }],
      imageGrids: [[2, 2]],
    });
    // training and inference see the same tokens up to the answer
    expect(seq.inputIds.slice(0, generation.length)).toEqual(generation);
    expect(seq.labels.slice(0, generation.length).filter((l) => l !== IGNORE_INDEX)).toHaveLength(tokenizer.encode('A cat.').length + 2);
  });

  it('imageTokenCount: tiles × L (global view counted when the grid is not 1×1)', () => {
    const split = fixtureTokenizer('split').spec;
    expect(imageTokenCount(split, [[2, 2]])).toBe(20);
    expect(
      imageTokenCount(split, [
        [1, 1],
        [3, 4],
      ]),
    ).toBe(4 + 52);
    expect(imageTokenCount(fixtureTokenizer('prefix').spec, [[1, 1]])).toBe(4);
  });
});
