// The token that ends an answer: the tokenizer's eos for prefix and inline, `<|im_end|>` for the
// split family's ChatML (spec "Training objective": what the model was trained to end with).
import type { Family } from '../model/config';
import type { NanoVLMTokenizer } from '../model/tokenizer';

export function stopTokenIds(family: Family, tokenizer: NanoVLMTokenizer): number[] {
  const ids = new Set([tokenizer.eosTokenId]);
  if (family === 'split') {
    const imEnd = tokenizer.findTokenId('<|im_end|>');
    if (imEnd !== undefined) ids.add(imEnd);
  }
  return [...ids];
}
