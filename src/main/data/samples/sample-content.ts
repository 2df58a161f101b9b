// What a sample's content means for storage: turns with their origins, the bitmask used by the
// origin filter, the text indexed for search, and the content hash that finds exact duplicates.
import { createHash } from 'node:crypto';
import type { AnswerOrigin, Turn, TurnInput } from '../../../shared/datasets';
import { ApiError } from '../../../shared/errors';
import { MAX_TAG_CHARS, MAX_TAGS, MAX_TURN_TEXT_CHARS, MAX_TURNS } from '../../../shared/limits';

export class TextTooLongError extends ApiError {
  constructor(message: string) {
    super('invalid_input', message);
    this.name = 'TextTooLongError';
  }
}

/** Why these texts cannot be stored (too many turns, a text over the limit), naming the field; null when they can. */
export function textsProblem(turns: readonly { user: string; assistant: string }[]): string | null {
  if (turns.length > MAX_TURNS) return `${turns.length} turns (the limit is ${MAX_TURNS})`;
  for (const [i, t] of turns.entries()) {
    for (const key of ['user', 'assistant'] as const) {
      if (t[key].length > MAX_TURN_TEXT_CHARS)
        return `texts[${i}].${key}: ${t[key].length.toLocaleString('en')} characters (the limit is ${MAX_TURN_TEXT_CHARS.toLocaleString('en')})`;
    }
  }
  return null;
}

/** Why these tags cannot be stored, naming the tag; null when they can. */
export function tagsProblem(tags: readonly string[]): string | null {
  if (tags.length > MAX_TAGS) return `${tags.length} tags (the limit is ${MAX_TAGS})`;
  const i = tags.findIndex((t) => t.trim().length > MAX_TAG_CHARS);
  return i < 0 ? null : `tags[${i}]: ${tags[i]!.trim().length} characters (the limit is ${MAX_TAG_CHARS})`;
}

/** Throws TextTooLongError when the texts are over a limit: the store's last line of defence. */
export function checkTexts(turns: readonly { user: string; assistant: string }[]): void {
  const problem = textsProblem(turns);
  if (problem) throw new TextTooLongError(problem);
}

const ORIGIN_BITS: Record<AnswerOrigin, number> = { import: 1, person: 2, model: 4 };

/** Turns as stored: every answer gets an origin (a caller's answer without one is a person's). */
export function normalizeTurns(turns: readonly TurnInput[], defaultOrigin: AnswerOrigin = 'person'): Turn[] {
  return turns.map((t) => {
    const origin = t.origin ?? defaultOrigin;
    const turn: Turn = { user: t.user, assistant: t.assistant, origin };
    if (origin === 'model' && t.model) turn.model = t.model;
    return turn;
  });
}

/** Only answered turns say where their answer came from. */
export function originMask(turns: readonly Turn[]): number {
  return turns.reduce((mask, t) => (t.assistant.trim() ? mask | ORIGIN_BITS[t.origin] : mask), 0);
}

export function maskOf(origins: readonly AnswerOrigin[]): number {
  return origins.reduce((mask, o) => mask | ORIGIN_BITS[o], 0);
}

export function originsOf(mask: number): AnswerOrigin[] {
  return (Object.keys(ORIGIN_BITS) as AnswerOrigin[]).filter((o) => mask & ORIGIN_BITS[o]);
}

/** Same images in the same order and the same texts: the same hash. Origins do not count. */
export function sampleContentHash(imageIds: readonly string[], turns: readonly Pick<Turn, 'user' | 'assistant'>[]): string {
  const canonical = JSON.stringify([imageIds, turns.map((t) => [t.user, t.assistant])]);
  return createHash('sha256').update(canonical).digest('hex');
}

export function searchColumns(turns: readonly Turn[]): { questions: string; answers: string } {
  return { questions: turns.map((t) => t.user).join('\n'), answers: turns.map((t) => t.assistant).join('\n') };
}

/** Every turn answered (and at least one turn): a sample a model can be trained on. */
export function isComplete(turns: readonly Pick<Turn, 'user' | 'assistant'>[]): boolean {
  return turns.length > 0 && turns.every((t) => t.assistant.trim() !== '');
}
