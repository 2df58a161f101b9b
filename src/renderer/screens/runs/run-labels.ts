// Runs in words: statuses, presets, and what a run's checkpoint can be used for.
import type { Preset, RunStatus, RunSummary } from '../../../shared/runs';

export const STATUS_LABELS: Record<RunStatus, string> = {
  running: 'Running',
  finished: 'Finished',
  cancelled: 'Cancelled',
  failed: 'Failed',
  interrupted: 'Interrupted',
};

export const PRESET_LABELS: Record<Preset, { label: string; detail: string }> = {
  projector: { label: 'Projector only', detail: 'Trains the small modality projector; the vision encoder and language model stay frozen. Fastest, least memory.' },
  'projector+language': { label: 'Projector + language model', detail: 'Also adapts the language model to your answers; the vision encoder stays frozen.' },
  full: { label: 'Full model', detail: 'Trains every part, the vision encoder too: the most memory and time.' },
};

/** the model registered for a run's final checkpoint, if any */
export function checkpointModelId(run: RunSummary): string | undefined {
  return run.checkpoints.findLast((c) => c.modelId)?.modelId;
}

export function canResume(run: RunSummary): boolean {
  if (run.status === 'running' || !run.checkpoints.length) return false;
  return run.status !== 'finished' || run.checkpoints.at(-1)!.step < run.settings.maxSteps;
}
