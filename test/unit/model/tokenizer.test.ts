import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BYTE_TOKENIZER_EOS_ID, buildByteTokenizerJson, writeByteTokenizer } from '../../../src/main/model/byte-tokenizer';
import type { Family } from '../../../src/main/model/config';
import { NanoVLMTokenizer, TokenizerError } from '../../../src/main/model/tokenizer';
import { byteTokenizerFolder, FIXTURES_DIR, fixtureSpec, fixtureTokenizer } from '../../helpers/byte-tokenizer-fixture';

const TEXT = 'Héllo wörld — 猫 🎉 <not a token> \n\ttabs';

describe('byte tokenizer', () => {
  it('has exactly 256 base ids, the special tokens first and eos id 2', () => {
    const { tokenizer } = fixtureTokenizer('prefix');
    expect(tokenizer.vocabSize).toBe(256);
    expect(tokenizer.eosTokenId).toBe(BYTE_TOKENIZER_EOS_ID);
    expect(tokenizer.eosToken).toBe('<|im_end|>');
    expect(['<|endoftext|>', '<|im_start|>', '<|im_end|>'].map((t) => tokenizer.tokenToId(t))).toEqual([0, 1, 2]);
    const ids = Object.values((buildByteTokenizerJson() as { model: { vocab: Record<string, number> } }).model.vocab);
    expect(new Set(ids).size).toBe(256);
    expect(Math.max(...ids)).toBe(255);
  });

  it('round-trips any text, one token a UTF-8 byte', () => {
    const { tokenizer } = fixtureTokenizer('prefix');
    const ids = tokenizer.encode(TEXT);
    expect(ids).toHaveLength(Buffer.byteLength(TEXT, 'utf8'));
    expect(ids.every((id) => id >= 13 && id < 256)).toBe(true);
    expect(tokenizer.decode(ids)).toBe(TEXT);
  });

  it('encodes special tokens in text as their ids and can skip them when decoding', () => {
    const { tokenizer } = fixtureTokenizer('inline');
    const ids = tokenizer.encode('<|im_start|>user\n<|image|>hi<|im_end|>');
    expect(ids).toEqual([1, ...tokenizer.encode('user\n'), 256, ...tokenizer.encode('hi'), 2]);
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('user\nhi');
  });

  it('loads in Python-compatible form: tokenizer_config.json names the eos and the chat template', () => {
    const config = JSON.parse(readFileSync(join(byteTokenizerFolder(), 'tokenizer_config.json'), 'utf8'));
    expect(config.eos_token).toBe('<|im_end|>');
    expect(config.chat_template).toContain('<|im_start|>');
  });
});

describe('extra tokens', () => {
  it.each(['prefix', 'inline', 'split'] as Family[])('%s: ids match case.json', (family) => {
    const { tokenizer } = fixtureTokenizer(family);
    const expected = JSON.parse(readFileSync(join(FIXTURES_DIR, family, 'case.json'), 'utf8')).extra_token_ids as Record<string, number>;
    const { config } = fixtureSpec(family);
    for (const [key, id] of Object.entries(expected)) expect(tokenizer.tokenToId(config.vlm_extra_tokens[key]!)).toBe(id);
    expect(tokenizer.vocabSize).toBe(config.lm_vocab_size);
  });

  it('refuses a tokenizer larger than lm_base_vocab_size', () => {
    const spec = fixtureSpec('inline');
    expect(() => NanoVLMTokenizer.fromJson(buildByteTokenizerJson(), {}, { ...spec.config, lm_base_vocab_size: 200 })).toThrow(
      /256 ids but the config's lm_base_vocab_size is 200/,
    );
  });

  it('finds the eos without tokenizer_config.json, and names a missing tokenizer.json', () => {
    const spec = fixtureSpec('inline');
    expect(NanoVLMTokenizer.fromJson(buildByteTokenizerJson(), {}, spec.config).eosTokenId).toBe(2);
    const empty = mkdtempSync(join(tmpdir(), 'no-tokenizer-'));
    try {
      expect(() => NanoVLMTokenizer.fromFolder(empty, spec.config)).toThrow(TokenizerError);
      expect(() => NanoVLMTokenizer.fromFolder(empty, spec.config)).toThrow(/tokenizer\.json: file not found/);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });

  it('writes its files into a new folder', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'bt-')), 'nested');
    writeByteTokenizer(dir);
    expect(NanoVLMTokenizer.fromFolder(dir, fixtureSpec('prefix').config).eosTokenId).toBe(2);
    rmSync(dir, { recursive: true });
  });
});

describe('StreamingDecoder', () => {
  it('never emits half a character, and the deltas add up to the whole text', () => {
    const { tokenizer } = fixtureTokenizer('prefix');
    const ids = tokenizer.encode(TEXT);
    const stream = tokenizer.streamingDecoder();
    const deltas = ids.map((id) => stream.push(id));
    deltas.push(stream.flush());
    expect(deltas.join('')).toBe(TEXT);
    expect(deltas.some((d) => d.includes('\uFFFD'))).toBe(false);
    const emoji = tokenizer.encode('🎉');
    const s2 = tokenizer.streamingDecoder();
    expect(emoji.map((id) => s2.push(id))).toEqual(['', '', '', '🎉']);
  });

  it('flushes an unfinished character as U+FFFD and skips special tokens when asked', () => {
    const { tokenizer } = fixtureTokenizer('prefix');
    const stream = tokenizer.streamingDecoder({ skipSpecialTokens: true });
    const [first] = tokenizer.encode('🎉');
    expect(stream.push(first!)).toBe('');
    expect(stream.flush()).toBe('\uFFFD');
    expect(stream.push(tokenizer.encode('a')[0]!)).toBe('a');
    expect(stream.push(tokenizer.eosTokenId)).toBe('');
  });
});
