// A chat's system prompt in each family's prompt: the split family's chat template gets a system
// turn before the first question; prefix and inline (no roles) get the text on its own line after
// the image placeholders. Without one, the prompt is exactly as before.
import { describe, expect, it } from 'vitest';
import { buildGenerationIds } from '../../../src/main/model/prompt';
import { fixtureTokenizer } from '../../helpers/byte-tokenizer-fixture';

describe('system prompt', () => {
  it('split: a system turn of the chat template before the first user turn', () => {
    const { spec, tokenizer } = fixtureTokenizer('split');
    const ids = buildGenerationIds(spec, tokenizer, { texts: [{ user: 'What is it?' }], imageGrids: [[1, 1]], system: 'Answer in one word.' });
    const text = tokenizer.decode(ids);
    expect(text.startsWith('<|im_start|>system\nAnswer in one word.<|im_end|>\n<|im_start|>user\n')).toBe(true);
    expect(text.endsWith('What is it?<|im_end|>\n<|im_start|>assistant\n')).toBe(true);
  });

  it('inline and prefix: the text on its own line before the first question, after the placeholders', () => {
    for (const family of ['inline', 'prefix'] as const) {
      const { spec, tokenizer } = fixtureTokenizer(family);
      const plain = buildGenerationIds(spec, tokenizer, { texts: [{ user: 'What is it?' }], imageGrids: [[1, 1]] });
      const withSystem = buildGenerationIds(spec, tokenizer, { texts: [{ user: 'What is it?' }], imageGrids: [[1, 1]], system: 'Be brief.' });
      const text = tokenizer.decode(withSystem);
      expect(text).toContain('Be brief.\nQuestion: What is it? Answer:');
      expect(text.indexOf('Be brief.')).toBeGreaterThanOrEqual(tokenizer.decode(plain).indexOf('Question:'));
      expect(buildGenerationIds(spec, tokenizer, { texts: [{ user: 'What is it?' }], imageGrids: [[1, 1]], system: '' })).toEqual(plain);
    }
  });
});
