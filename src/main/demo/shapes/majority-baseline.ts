// The score of always giving the most common answer of each question type: the chance level a
// trained model has to beat.
export interface AnsweredQuestion {
  type: string;
  answer: string;
}

export interface MajorityBaseline {
  type: string;
  questions: number;
  /** distinct answers seen */
  classes: number;
  majorityAnswer: string;
  /** share of questions whose answer is the majority answer */
  accuracy: number;
}

export function majorityBaselines(questions: readonly AnsweredQuestion[]): MajorityBaseline[] {
  const byType = new Map<string, Map<string, number>>();
  for (const q of questions) {
    const counts = byType.get(q.type) ?? new Map<string, number>();
    counts.set(q.answer, (counts.get(q.answer) ?? 0) + 1);
    byType.set(q.type, counts);
  }
  return [...byType].map(([type, counts]) => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const [majorityAnswer, top] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
    return { type, questions: total, classes: counts.size, majorityAnswer, accuracy: top / total };
  });
}
