// nanoVLM's get_lr (Karpathy's cosine with warmup), per group, by optimiser step `it`:
// linear warmup over the first 3% of the steps (lr·(it+1)/warmup), then cosine from lr down to
// 0.1·lr, reached at it = maxSteps. One deliberate difference: when 3% of the steps is not a
// whole number nanoVLM's warmup overshoots (maxSteps 10 gives 3.3·lr at it 0); here the warmup
// is capped at lr.
import { PARAMETER_GROUPS, type LearningRates, type ParameterGroupName } from '../../../shared/training';

const WARMUP_FRACTION = 0.03;
const MIN_LR_FRACTION = 0.1;

export function cosineLearningRate(it: number, maxLr: number, maxSteps: number): number {
  const minLr = maxLr * MIN_LR_FRACTION;
  const warmupSteps = maxSteps * WARMUP_FRACTION;
  if (it < warmupSteps) return Math.min(maxLr, (maxLr * (it + 1)) / warmupSteps);
  if (it > maxSteps) return minLr;
  const decayRatio = (it - warmupSteps) / (maxSteps - warmupSteps);
  const coefficient = 0.5 * (1 + Math.cos(Math.PI * decayRatio));
  return minLr + coefficient * (maxLr - minLr);
}

export type LearningRateSchedule = { kind: 'cosine'; maxSteps: number } | { kind: 'constant' };

/** Each group's learning rate at optimiser step `it` (0 for a frozen group). */
export function groupLearningRates(peaks: LearningRates, schedule: LearningRateSchedule, it: number): LearningRates {
  const rates = {} as LearningRates;
  for (const group of PARAMETER_GROUPS) {
    const peak = peaks[group];
    rates[group] = peak <= 0 ? 0 : schedule.kind === 'constant' ? peak : cosineLearningRate(it, peak, schedule.maxSteps);
  }
  return rates;
}

/** The groups a run trains: those with a learning rate above 0. */
export function trainedGroups(peaks: LearningRates): ParameterGroupName[] {
  return PARAMETER_GROUPS.filter((g) => peaks[g] > 0);
}
