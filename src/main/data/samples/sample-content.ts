// What a sample's content means for storage: turns with their origins, the bitmask used by the
// origin filter, the text indexed for search, and the content hash that finds exact duplicates.
import { createHash } from 'node:crypto';
import type { AnswerOrigin, Turn, TurnInput } from '../../../shared/datasets';

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
