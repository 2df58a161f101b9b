// What kind of question a sample asks, from its first question's opening words: the strata of a
// split stratified by question type, so that counting, colour, yes/no, … questions each keep the
// split's proportions in train, val and test. Deliberately simple and predictable: the first rule
// that matches wins; anything else is "other".
export const QUESTION_TYPES = ['count', 'colour', 'yes/no', 'where', 'what', 'which', 'who', 'why/how', 'describe', 'other'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

const RULES: [RegExp, QuestionType][] = [
  [/^how (many|much)\b|^count\b|^what is the (number|count)\b/, 'count'],
  [/\bcolou?rs?\b/, 'colour'],
  [/^(is|are|am|was|were|do|does|did|can|could|has|have|had|will|would|should|shall|may|might)\b/, 'yes/no'],
  [/^where\b/, 'where'],
  [/^which\b/, 'which'],
  [/^(who|whom|whose)\b/, 'who'],
  [/^(why|how)\b/, 'why/how'],
  [/^(describe|explain|caption|tell me)\b|^what (is|are) (in|shown|happening)\b/, 'describe'],
  [/^what\b/, 'what'],
];

export function questionType(question: string): QuestionType {
  // the image placeholder and leading punctuation are not words of the question
  const words = question
    .toLowerCase()
    .replace(/<image>|<\|image\|>/g, ' ')
    .replace(/^[\s\p{P}]+/u, '')
    .trim();
  return RULES.find(([pattern]) => pattern.test(words))?.[1] ?? 'other';
}
