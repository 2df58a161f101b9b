// One line of training progress for a terminal or a log: step, bar, loss, learning rate of each
// group, gradient norm, throughput and the estimated time left.
import type { LearningRates } from '../../shared/training';

export interface ProgressState {
  step: number;
  maxSteps: number;
  loss: number;
  gradNorm: number;
  learningRates: LearningRates;
  samplesPerSecond: number;
  /** seconds since the first step of this session began */
  elapsedSeconds: number;
  /** steps taken in this session (a resumed run starts later) */
  sessionSteps: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m${rest}s` : `${m}m${rest}s`;
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

const rate = (lr: number): string => (lr === 0 ? 'frozen' : lr.toExponential(1));

export function etaSeconds(state: ProgressState): number {
  if (state.sessionSteps === 0) return Number.NaN;
  return (state.elapsedSeconds / state.sessionSteps) * (state.maxSteps - state.step);
}

export function formatProgress(state: ProgressState, barWidth = 20): string {
  const width = String(state.maxSteps).length;
  const { mp, vision, language } = state.learningRates;
  return [
    `step ${String(state.step).padStart(width)}/${state.maxSteps}`,
    bar(state.step / state.maxSteps, barWidth),
    `loss ${state.loss.toFixed(4)}`,
    `lr mp ${rate(mp)} vision ${rate(vision)} language ${rate(language)}`,
    `grad ${state.gradNorm.toFixed(3)}`,
    `${state.samplesPerSecond.toFixed(1)} samples/s`,
    `ETA ${formatDuration(etaSeconds(state))}`,
  ].join(' | ');
}
