// The learning rate by optimiser step `it`, per group. nanoVLM's get_lr (Karpathy's cosine with
// warmup) is the default: linear warmup over the first 3% of the steps (lr·(it+1)/warmup), then
// cosine from lr down to 0.1·lr, reached at it = maxSteps. The other schedules a run may choose
// share its warmup and its floor: `linear` goes down to 0.1·lr in a straight line, `constant`
// stays at lr. One deliberate difference from nanoVLM: when the warmup is not a whole number of
// steps nanoVLM's overshoots (maxSteps 10 gives 3.3·lr at it 0); here the warmup is capped at lr.
import { DEFAULT_WARMUP_FRACTION, PARAMETER_GROUPS, type LearningRates, type LrScheduleName, type ParameterGroupName } from '../../../shared/training';

const MIN_LR_FRACTION = 0.1;

export interface LearningRateSchedule {
  kind: LrScheduleName;
  /** the run's optimiser steps (a constant schedule without a warmup needs none) */
  maxSteps?: number;
  /** share of maxSteps the warmup takes (default nanoVLM's 0.03) */
  warmupFraction?: number;
}

/** The rate at step `it` for a peak rate `maxLr`. */
export function scheduledLearningRate(it: number, maxLr: number, schedule: LearningRateSchedule): number {
  const maxSteps = schedule.maxSteps ?? 0;
  const warmupSteps = maxSteps * (schedule.warmupFraction ?? DEFAULT_WARMUP_FRACTION);
  if (it < warmupSteps) return Math.min(maxLr, (maxLr * (it + 1)) / warmupSteps);
  if (schedule.kind === 'constant') return maxLr;
  const minLr = maxLr * MIN_LR_FRACTION;
  if (it > maxSteps) return minLr;
  const decayRatio = (it - warmupSteps) / (maxSteps - warmupSteps);
  const coefficient = schedule.kind === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * decayRatio)) : 1 - decayRatio;
  return minLr + coefficient * (maxLr - minLr);
}

/** nanoVLM's get_lr. */
export function cosineLearningRate(it: number, maxLr: number, maxSteps: number): number {
  return scheduledLearningRate(it, maxLr, { kind: 'cosine', maxSteps });
}

/** Each group's learning rate at optimiser step `it` (0 for a frozen group). */
export function groupLearningRates(peaks: LearningRates, schedule: LearningRateSchedule, it: number): LearningRates {
  const rates = {} as LearningRates;
  for (const group of PARAMETER_GROUPS) {
    const peak = peaks[group];
    rates[group] = peak <= 0 ? 0 : scheduledLearningRate(it, peak, schedule);
  }
  return rates;
}

/** The groups a run trains: those with a learning rate above 0. */
export function trainedGroups(peaks: LearningRates): ParameterGroupName[] {
  return PARAMETER_GROUPS.filter((g) => peaks[g] > 0);
}
