// How fast an answer came, said honestly: a decoding rate only over enough tokens to mean
// something; a short answer gets its time instead ("3 tokens in 12 ms").
import type { AnswerStats } from '../../../shared/chat';

/** below this many tokens a rate is noise (one token has no rate at all) */
export const MIN_TOKENS_FOR_RATE = 8;

export function speedText(stats: AnswerStats): { text: string; title: string } {
  if (stats.tokens >= MIN_TOKENS_FOR_RATE && stats.tokensPerSecond > 0) {
    return { text: `${stats.tokensPerSecond.toFixed(1)} tok/s`, title: 'Decoding speed after the first token' };
  }
  const title = `Too few tokens to measure a decoding speed (fewer than ${MIN_TOKENS_FOR_RATE})`;
  if (stats.totalMs === undefined) return { text: '– tok/s', title };
  return { text: `${Math.round(stats.totalMs)} ms in all`, title };
}
