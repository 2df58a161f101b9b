// Runs in words: statuses, presets, and what a run's checkpoint can be used for.
import type { Preset, RunStatus, RunSummary } from '../../../shared/runs';
import { maxOf, minOf } from '../../../shared/array-utils';

export const STATUS_LABELS: Record<RunStatus, string> = {
  running: 'Running',
  finished: 'Finished',
  cancelled: 'Cancelled',
  failed: 'Failed',
  interrupted: 'Interrupted',
};

export const PRESET_LABELS: Record<Preset, { label: string; detail: string }> = {
  projector: {
    label: 'Projector only',
    detail: 'Trains the small modality projector; the vision encoder and language model stay frozen. Fastest, least memory.',
  },
  'projector+language': { label: 'Projector + language model', detail: 'Also adapts the language model to your answers; the vision encoder stays frozen.' },
  full: { label: 'Full model', detail: 'Trains every part, the vision encoder too: the most memory and time.' },
  scratch: { label: 'From scratch', detail: 'Every part at a high learning rate (3e-3): for a model made from random weights, not for fine-tuning.' },
};

export function canResume(run: RunSummary): boolean {
  if (run.status === 'running' || !run.checkpoints.length) return false;
  return run.status !== 'finished' || run.checkpoints.at(-1)!.step < run.settings.maxSteps;
}

/** 0.756 → "75.6 %" (null: not evaluated) */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined) return '–';
  return `${(fraction * 100).toFixed(fraction === 1 || fraction === 0 ? 0 : 1)} %`;
}

/** the checkpoint with the best val accuracy (the later one on a tie); none while fewer than two
 * were evaluated or all scored the same, when "best" would say nothing */
export function bestCheckpointStep(run: RunSummary): number | undefined {
  const evaluated = run.checkpoints.filter((c): c is typeof c & { valAccuracy: number } => c.valAccuracy !== undefined);
  const scores = evaluated.map((c) => c.valAccuracy);
  if (evaluated.length < 2 || maxOf(scores) === minOf(scores)) return undefined;
  return evaluated.reduce((best, c) => (c.valAccuracy >= best.valAccuracy ? c : best)).step;
}
