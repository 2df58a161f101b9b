// The language model's tokenizer: the Hub repo named by `lm_tokenizer` (tokenizer.json +
// tokenizer_config.json), with the config's `vlm_extra_tokens` appended after the base vocabulary
// in the dict's order as special tokens (docs/nanovlm.md, "Checkpoints": `<|image|>` gets lm_base_vocab_size,
// the next one +1, ...). Wraps @huggingface/tokenizers.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { IM_END, type NanoVLMConfig } from './config';
import { maxOf } from '../../shared/array-utils';

export class TokenizerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenizerError';
  }
}

interface AddedTokenJson {
  id: number;
  content: string;
  single_word?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
  special?: boolean;
}

interface TokenizerJson {
  added_tokens?: AddedTokenJson[];
  model: { vocab: Record<string, number> | Array<[string, number]> };
  [other: string]: unknown;
}

export type TokenizerConfigJson = Record<string, unknown> & {
  eos_token?: string | { content: string };
  chat_template?: unknown;
};

/** Special tokens tried, in order, when neither tokenizer_config.json nor special_tokens_map.json names the eos. */
const FALLBACK_EOS_TOKENS = [IM_END, '<|endoftext|>', '</s>'];

export interface DecodeOptions {
  /** drop special tokens (eos, image placeholders, ...) from the text; default false */
  skipSpecialTokens?: boolean;
}

export class NanoVLMTokenizer {
  /** the id of the tokenizer's eos token (docs/nanovlm.md, "Checkpoints") */
  readonly eosTokenId: number;
  readonly eosToken: string;
  /** ids of every special token, extra tokens included */
  readonly specialIds: ReadonlySet<number>;

  private constructor(
    private readonly inner: Tokenizer,
    readonly tokenizerConfig: TokenizerConfigJson,
    eos: { token: string; id: number },
    specialIds: Set<number>,
    /** total ids: base vocabulary + added tokens */
    readonly vocabSize: number,
  ) {
    this.eosToken = eos.token;
    this.eosTokenId = eos.id;
    this.specialIds = specialIds;
  }

  /**
   * Load from a folder holding tokenizer.json (+ tokenizer_config.json, special_tokens_map.json
   * when present) and append the config's extra tokens.
   */
  static fromFolder(folder: string, config: Pick<NanoVLMConfig, 'lm_base_vocab_size' | 'vlm_extra_tokens' | 'lm_eos_token_id'>): NanoVLMTokenizer {
    const tokenizerPath = join(folder, 'tokenizer.json');
    if (!existsSync(tokenizerPath)) throw new TokenizerError(`${tokenizerPath}: file not found (expected the tokenizer of the language model)`);
    const tokenizerJson = readJson(tokenizerPath) as TokenizerJson;
    const configPath = join(folder, 'tokenizer_config.json');
    const tokenizerConfig = existsSync(configPath) ? (readJson(configPath) as TokenizerConfigJson) : {};
    const mapPath = join(folder, 'special_tokens_map.json');
    const specialTokensMap = existsSync(mapPath) ? (readJson(mapPath) as TokenizerConfigJson) : {};
    return NanoVLMTokenizer.fromJson(tokenizerJson, tokenizerConfig, config, specialTokensMap, tokenizerPath);
  }

  static fromJson(
    tokenizerJson: object,
    tokenizerConfig: TokenizerConfigJson,
    config: Pick<NanoVLMConfig, 'lm_base_vocab_size' | 'vlm_extra_tokens' | 'lm_eos_token_id'>,
    specialTokensMap: TokenizerConfigJson = {},
    source = 'tokenizer.json',
  ): NanoVLMTokenizer {
    const json = withExtraTokens(tokenizerJson as TokenizerJson, config, source);
    const inner = new Tokenizer(json, { ...tokenizerConfig, chat_template: undefined });
    const added = json.added_tokens ?? [];
    const specialIds = new Set(added.filter((t) => t.special).map((t) => t.id));
    const vocabSize = maxOf(
      added.map((t) => t.id + 1),
      baseVocabSize(json),
    );
    const eos = findEos(inner, tokenizerConfig, specialTokensMap, config.lm_eos_token_id, source);
    specialIds.add(eos.id);
    return new NanoVLMTokenizer(inner, tokenizerConfig, eos, specialIds, vocabSize);
  }

  /** Token ids of a text; special-token strings in the text (e.g. `<|image|>`) become their ids. No BOS/EOS is added. */
  encode(text: string): number[] {
    if (text.length === 0) return [];
    return this.inner.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const kept = options.skipSpecialTokens ? ids.filter((id) => !this.specialIds.has(id)) : [...ids];
    if (kept.length === 0) return '';
    return this.inner.decode(kept, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  /** The id of one token string; throws when the vocabulary lacks it. */
  tokenToId(token: string): number {
    const id = this.inner.token_to_id(token);
    if (id === undefined) throw new TokenizerError(`token ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  }

  /** The id of one token string, or undefined. */
  findTokenId(token: string): number | undefined {
    return this.inner.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.inner.id_to_token(id);
  }

  /** The chat template of tokenizer_config.json, when it has a single one. */
  get chatTemplate(): string | undefined {
    const t = this.tokenizerConfig.chat_template;
    return typeof t === 'string' ? t : undefined;
  }

  /** A decoder for streamed generation: feed ids one at a time, get clean text deltas. */
  streamingDecoder(options: DecodeOptions = {}): StreamingDecoder {
    return new StreamingDecoder((ids) => this.decode(ids, options));
  }
}

/**
 * Incremental detokenisation. Byte-level tokens can end in the middle of a UTF-8 character; such a
 * tail decodes to U+FFFD, so it is held back until the following tokens complete it. A few already
 * emitted tokens are kept as context and decoded with the new ones, so decoders that treat the
 * first token specially (leading spaces) give the same text as decoding everything at once.
 */
export class StreamingDecoder {
  private context: number[] = [];
  private pending: number[] = [];
  private static readonly CONTEXT_TOKENS = 4;
  /** a UTF-8 character spans at most 4 bytes: more held tokens than that cannot complete it */
  private static readonly MAX_HELD_TOKENS = 4;

  constructor(private readonly decodeIds: (ids: number[]) => string) {}

  /** Add one token id; returns the new text it completes (possibly ''). */
  push(id: number): string {
    this.pending.push(id);
    const delta = this.pendingText();
    if (delta.endsWith('\uFFFD') && this.pending.length < StreamingDecoder.MAX_HELD_TOKENS) return '';
    return this.commit(delta);
  }

  /** Text of the tokens still held back (an incomplete character becomes U+FFFD). */
  flush(): string {
    if (this.pending.length === 0) return '';
    return this.commit(this.pendingText());
  }

  private pendingText(): string {
    const before = this.decodeIds(this.context);
    const after = this.decodeIds([...this.context, ...this.pending]);
    return after.startsWith(before) ? after.slice(before.length) : this.decodeIds(this.pending);
  }

  private commit(delta: string): string {
    this.context = [...this.context, ...this.pending].slice(-StreamingDecoder.CONTEXT_TOKENS);
    this.pending = [];
    return delta;
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new TokenizerError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

function baseVocabSize(json: TokenizerJson): number {
  const vocab = json.model?.vocab;
  if (Array.isArray(vocab)) return vocab.length;
  if (vocab && typeof vocab === 'object') return maxOf(Object.values(vocab), -1) + 1;
  return 0;
}

/** A copy of tokenizer.json with the extra tokens added at base, base+1, ... as special tokens. */
function withExtraTokens(json: TokenizerJson, config: Pick<NanoVLMConfig, 'lm_base_vocab_size' | 'vlm_extra_tokens'>, source: string): TokenizerJson {
  if (typeof json !== 'object' || json === null || typeof json.model !== 'object') {
    throw new TokenizerError(`${source}: expected a tokenizer.json object with a "model" field`);
  }
  const base = config.lm_base_vocab_size;
  const existing = json.added_tokens ?? [];
  const ownBase = maxOf(
    existing.map((t) => t.id + 1),
    baseVocabSize(json),
  );
  if (ownBase > base) {
    throw new TokenizerError(`${source}: the tokenizer has ${ownBase} ids but the config's lm_base_vocab_size is ${base}`);
  }
  const extra = Object.values(config.vlm_extra_tokens).map((content, i): AddedTokenJson => ({
    id: base + i,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const kept = existing.filter((t) => !extra.some((e) => e.content === t.content));
  return { ...json, added_tokens: [...kept, ...extra] };
}

function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

function findEos(
  inner: Tokenizer,
  tokenizerConfig: TokenizerConfigJson,
  specialTokensMap: TokenizerConfigJson,
  configEosId: number,
  source: string,
): { token: string; id: number } {
  const named = tokenContent(tokenizerConfig.eos_token) ?? tokenContent(specialTokensMap.eos_token);
  const candidates = named !== undefined ? [named] : FALLBACK_EOS_TOKENS;
  for (const token of candidates) {
    const id = inner.token_to_id(token);
    if (id !== undefined) return { token, id };
  }
  if (named !== undefined) throw new TokenizerError(`${source}: eos token ${JSON.stringify(named)} of tokenizer_config.json is not in the vocabulary`);
  const token = inner.id_to_token(configEosId);
  if (token === undefined)
    throw new TokenizerError(`${source}: no eos token found (tried ${FALLBACK_EOS_TOKENS.join(', ')} and lm_eos_token_id ${configEosId})`);
  return { token, id: configEosId };
}
