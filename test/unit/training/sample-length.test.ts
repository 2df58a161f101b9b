// A dataset's longest sample in decoder positions: the family's real prompt with every image at the
// largest grid, counted without opening the images.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/main/model/config';
import { buildTrainingSequence } from '../../../src/main/model/prompt';
import { NanoVLMTokenizer } from '../../../src/main/model/tokenizer';
import { longestSamplePositions } from '../../../src/main/training/data/sample-length';
import { DEMO_DIMS, tinyConfig } from '../../../src/main/demo/tiny-config';

const DEMO_MODEL = join(import.meta.dirname, '..', '..', '..', 'resources', 'demo-model');

describe('longest sample', () => {
  it.each(['split', 'inline'] as const)("%s family: the longest record's prompt, images included", (family) => {
    const spec = parseConfig(tinyConfig({ ...DEMO_DIMS, family }));
    const tokenizer = NanoVLMTokenizer.fromFolder(DEMO_MODEL, spec.config);
    const short = { images: ['a.png'], texts: [{ user: 'Colour?', assistant: 'red' }] };
    const long = {
      images: ['b.png'],
      texts: [
        { user: 'What colour is the large shape in the middle?', assistant: 'purple' },
        { user: 'And its kind?', assistant: 'crescent' },
      ],
    };
    const expected = buildTrainingSequence(spec, tokenizer, { texts: long.texts, imageGrids: [[1, 1]] }).inputIds.length;
    expect(longestSamplePositions([short, long, short], spec, tokenizer)).toBe(expected);
    expect(expected).toBeGreaterThan(spec.config.mp_image_token_length + long.texts[0]!.user.length);
  });
});
