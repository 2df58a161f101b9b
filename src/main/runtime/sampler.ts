// Choosing the next token: greedy, or sampling with temperature, top-k, top-p and a repetition
// penalty, from a seeded PRNG so that a seed reproduces an answer. The sampler works either on the
// whole logits row or on the best candidates the decoder graph picked (decoder-io.ts, top_k): greedy
// and top-k sampling need only those, so no JavaScript pass over the vocabulary is made per token.
import { mulberry32 } from '../util/mulberry32';

export interface SamplingOptions {
  /** argmax (ignores the other settings but the repetition penalty) */
  greedy?: boolean;
  temperature?: number;
  /** 0 or undefined: no top-k */
  topK?: number;
  /** 1 or undefined: no nucleus filtering */
  topP?: number;
  /** > 1 discourages tokens already in the sequence (CTRL-style, as in transformers) */
  repetitionPenalty?: number;
  seed?: number;
}

/** The most candidates the decoder graph is asked for; sampling from more fetches every logit. */
export const MAX_GRAPH_CANDIDATES = 1024;

/** The next token's best candidates: ids sorted by score, descending (ties: lower id first). */
export interface Candidates {
  ids: ArrayLike<number>;
  scores: Float32Array;
}

/** The sampler's random source: deterministic per seed. */
export const seededRandom = mulberry32;

export class Sampler {
  private readonly random: () => number;
  private readonly scratch: Float32Array;

  constructor(
    private readonly options: SamplingOptions,
    vocab: number,
  ) {
    this.random = seededRandom(options.seed ?? Date.now());
    this.scratch = new Float32Array(vocab);
    const t = options.temperature;
    if (t !== undefined && !(t >= 0)) throw new Error(`temperature must be ≥ 0, got ${t}`);
    if (options.topP !== undefined && !(options.topP > 0 && options.topP <= 1)) throw new Error(`top-p must be in (0, 1], got ${options.topP}`);
    if (options.topK !== undefined && !(Number.isInteger(options.topK) && options.topK >= 0))
      throw new Error(`top-k must be a whole number ≥ 0, got ${options.topK}`);
  }

  private get isGreedy(): boolean {
    return !!this.options.greedy || !this.options.temperature;
  }

  /**
   * How many best candidates suffice to choose the next token exactly as from the whole logits row
   * (1 for greedy, k for top-k sampling); 0 when every logit is needed (a repetition penalty
   * reorders them, sampling without top-k weighs them all).
   */
  get candidatesNeeded(): number {
    if ((this.options.repetitionPenalty ?? 1) !== 1) return 0;
    if (this.isGreedy) return 1;
    const k = this.options.topK ?? 0;
    return k > 0 && k <= MAX_GRAPH_CANDIDATES ? k : 0;
  }

  /** `logits` [vocab] of the last position; `previous` the ids so far (prompt + generated). */
  next(logits: Float32Array, previous: Iterable<number>): number {
    const scores = this.scratch;
    scores.set(logits.subarray(0, scores.length));
    applyRepetitionPenalty(scores, previous, this.options.repetitionPenalty ?? 1);
    if (this.isGreedy) return argmax(scores);
    const order = candidateOrder(scores, this.options.topK ?? 0);
    return this.sample(
      order,
      Float32Array.from(order, (id) => scores[id]!),
    );
  }

  /** The next token from the best `candidatesNeeded` candidates (or more): the same choice next() makes. */
  fromCandidates(candidates: Candidates): number {
    if (this.candidatesNeeded === 0) throw new Error('this sampler needs every logit (repetition penalty, or sampling without top-k)');
    if (candidates.ids.length === 0) throw new Error('no candidates for the next token');
    if (this.isGreedy) return candidates.ids[0]!;
    const k = Math.min(candidates.ids.length, this.options.topK!);
    return this.sample(
      Array.from({ length: k }, (_, i) => candidates.ids[i]!),
      candidates.scores.subarray(0, k),
    );
  }

  /** Temperature and nucleus over `order` (candidate ids, best first) with their `scores`. */
  private sample(order: number[], scores: Float32Array): number {
    const { temperature = 1, topP = 1 } = this.options;
    const max = scores[0]!;
    const probs = order.map((_, i) => Math.exp((scores[i]! - max) / temperature));
    const total = probs.reduce((a, b) => a + b, 0);
    // nucleus: the smallest prefix of the sorted candidates whose mass reaches top-p
    let keep = 0;
    let mass = 0;
    while (keep < order.length && (keep === 0 || mass < topP * total)) mass += probs[keep++]!;
    let r = this.random() * mass;
    for (let i = 0; i < keep; i++) {
      r -= probs[i]!;
      if (r <= 0) return order[i]!;
    }
    return order[keep - 1]!;
  }
}

export function argmax(scores: Float32Array): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}

function applyRepetitionPenalty(scores: Float32Array, previous: Iterable<number>, penalty: number): void {
  if (penalty === 1) return;
  for (const id of new Set(previous)) {
    if (id < 0 || id >= scores.length) continue;
    const s = scores[id]!;
    scores[id] = s > 0 ? s / penalty : s * penalty;
  }
}

/** Token ids sorted by score, descending; only the best k when k > 0. */
function candidateOrder(scores: Float32Array, topK: number): number[] {
  const ids = Array.from(scores.keys());
  if (topK > 0 && topK < ids.length) {
    // partial selection: keep a sorted list of the best k
    const best: number[] = [];
    for (const id of ids) {
      if (best.length === topK && scores[id]! <= scores[best[topK - 1]!]!) continue;
      let at = best.length < topK ? best.length : topK - 1;
      best[at] = id;
      while (at > 0 && scores[best[at]!]! > scores[best[at - 1]!]!) {
        [best[at], best[at - 1]] = [best[at - 1]!, best[at]!];
        at--;
      }
    }
    return best;
  }
  return ids.sort((a, b) => scores[b]! - scores[a]!);
}
