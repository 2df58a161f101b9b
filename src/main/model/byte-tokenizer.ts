// A tiny byte-level BPE tokenizer with a base vocabulary of exactly 256 ids, for the golden
// fixtures (lm_base_vocab_size 256, eos id 2), tests, `nanovlm generate --tokenizer` and the
// bundled demo model.
//
// Layout, like SmolLM2's tokenizer: the special tokens come first, `<|endoftext|>` 0,
// `<|im_start|>` 1, `<|im_end|>` 2 (the eos, as in SmolLM2-Instruct), then reserved special tokens
// up to id 12. Ids 13..255 are the 243 bytes that can occur in valid UTF-8, in byte order, each
// written as GPT-2's printable stand-in character. The 13 bytes that never occur in UTF-8 (0xC0,
// 0xC1, 0xF5..0xFF) are left out to make room for the special tokens. Every string JavaScript can
// hold is valid UTF-16, so its UTF-8 never needs them. There are no merges: one token per byte.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write';
import { IM_END, IM_START, SMOLLM2_CHAT_TEMPLATE } from './config';

export const BYTE_TOKENIZER_VOCAB_SIZE = 256;
export const BYTE_TOKENIZER_SPECIAL_TOKENS = ['<|endoftext|>', IM_START, IM_END] as const;
export const BYTE_TOKENIZER_EOS = IM_END;
export const BYTE_TOKENIZER_EOS_ID = 2;

const isUtf8Byte = (b: number): boolean => !(b === 0xc0 || b === 0xc1 || b >= 0xf5);

/** GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others map to 256 + n. */
export function byteToUnicode(): Map<number, string> {
  const printable = (b: number): boolean => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const map = new Map<number, string>();
  let next = 0;
  for (let b = 0; b < 256; b++) {
    map.set(b, String.fromCodePoint(printable(b) ? b : 256 + next++));
  }
  return map;
}

function specialTokenList(): string[] {
  const reservedCount = BYTE_TOKENIZER_VOCAB_SIZE - 243 - BYTE_TOKENIZER_SPECIAL_TOKENS.length;
  const reserved = Array.from({ length: reservedCount }, (_, i) => `<|reserved_${i}|>`);
  return [...BYTE_TOKENIZER_SPECIAL_TOKENS, ...reserved];
}

/** The tokenizer.json object. */
export function buildByteTokenizerJson(): object {
  const specials = specialTokenList();
  const vocab: Record<string, number> = {};
  specials.forEach((token, id) => (vocab[token] = id));
  let id = specials.length;
  for (const [byte, char] of byteToUnicode()) if (isUtf8Byte(byte)) vocab[char] = id++;
  if (id !== BYTE_TOKENIZER_VOCAB_SIZE) throw new Error(`byte tokenizer: built ${id} ids, expected ${BYTE_TOKENIZER_VOCAB_SIZE}`);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, i) => ({
      id: i,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
}

/** The tokenizer_config.json object (what transformers' AutoTokenizer reads too). */
export function buildByteTokenizerConfig(): object {
  const specials = specialTokenList();
  const addedTokensDecoder = Object.fromEntries(
    specials.map((content, id) => [String(id), { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true }]),
  );
  return {
    add_prefix_space: false,
    added_tokens_decoder: addedTokensDecoder,
    additional_special_tokens: [IM_START, IM_END],
    bos_token: IM_START,
    eos_token: BYTE_TOKENIZER_EOS,
    pad_token: BYTE_TOKENIZER_EOS,
    unk_token: '<|endoftext|>',
    chat_template: SMOLLM2_CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false,
    model_max_length: 8192,
    tokenizer_class: 'GPT2Tokenizer',
    vocab_size: BYTE_TOKENIZER_VOCAB_SIZE,
  };
}

/** Write tokenizer.json, tokenizer_config.json and special_tokens_map.json into a folder (created if needed). */
export function writeByteTokenizer(folder: string): void {
  mkdirSync(folder, { recursive: true });
  const json = (value: object): string => `${JSON.stringify(value, null, 2)}\n`;
  writeFileAtomic(join(folder, 'tokenizer.json'), json(buildByteTokenizerJson()));
  writeFileAtomic(join(folder, 'tokenizer_config.json'), json(buildByteTokenizerConfig()));
  writeFileAtomic(
    join(folder, 'special_tokens_map.json'),
    json({
      bos_token: IM_START,
      eos_token: BYTE_TOKENIZER_EOS,
      pad_token: BYTE_TOKENIZER_EOS,
      unk_token: '<|endoftext|>',
      additional_special_tokens: [IM_START, IM_END],
    }),
  );
}
