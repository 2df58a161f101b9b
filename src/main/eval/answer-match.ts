// When a predicted answer counts as right: exact match after normalising case, spaces and
// punctuation; for a multiple-choice answer (a single letter), the letter the prediction starts with.

export function normalizeAnswer(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const CHOICE = /^\(?([a-z])\)?[.:)]?$/i;
// the letter must stand alone ("B", "B.", "(b) …"), so that an article ("a cat") is not read as a choice
const LEADING_CHOICE = /^\(?([a-z])(?:\)|[.:]|$)/i;

/** The letter of a multiple-choice answer ("B", "(b)", "B."), else undefined. */
export function choiceLetter(expected: string): string | undefined {
  return CHOICE.exec(expected.trim())?.[1]?.toLowerCase();
}

export function isCorrectAnswer(expected: string, predicted: string): boolean {
  const letter = choiceLetter(expected);
  if (letter) return LEADING_CHOICE.exec(predicted.trim())?.[1]?.toLowerCase() === letter;
  return normalizeAnswer(expected) === normalizeAnswer(predicted);
}
