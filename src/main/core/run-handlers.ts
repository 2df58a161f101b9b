// Training runs: list, detail (metrics and log), start, cancel, resume; what a dataset would give
// a run and one of its samples as the trainer will see it; a kept checkpoint as a model; hand a run to nanoVLM's trainer and take its checkpoints back.
import { previewTrainingSample } from '../runs/sample-preview';
import { checkTrainingData } from '../runs/training-data-check';
import type { AreaHandlers } from './handlers';
import type { CoreContext } from './studio-core';

export function runHandlers(ctx: CoreContext) {
  return {
    'runs.list': async () => ctx.runs.list(),
    'runs.get': async ({ id }) => ctx.runs.detail(id),
    'runs.start': async (input) => ctx.runManager.start(input),
    'runs.enqueue': async (input) => ctx.runManager.enqueue(input),
    'runs.queue': async () => ctx.runManager.queued(),
    'runs.dequeue': async ({ id }) => ctx.runManager.dequeue(id),
    'runs.cancel': async ({ id }) => ctx.runManager.cancel(id),
    'runs.resume': async ({ id }) => ctx.runManager.resume(id),
    'runs.exportElsewhere': async ({ id, outDir, processes }) => ctx.runManager.handOff(id, outDir, processes),
    'runs.addCheckpoint': async ({ folder, id, step }) => ctx.runManager.importCheckpoint(folder, id, step),
    'runs.predictions': async ({ id, ...options }) => (ctx.runs.get(id), ctx.runs.predictions(id, options)),
    'runs.checkpointModel': async ({ id, step }) => ctx.runManager.checkpointModel(id, step),
    'runs.dataCheck': async ({ datasetId }) => (ctx.datasets.getDataset(datasetId), checkTrainingData(ctx.db, datasetId)),
    'runs.previewSample': async ({ datasetId, baseModelId, statuses, index }) => {
      ctx.datasets.getDataset(datasetId);
      return previewTrainingSample(ctx.db, ctx.datasets, ctx.models.get(baseModelId), { datasetId, index, ...(statuses ? { statuses } : {}) });
    },
  } satisfies AreaHandlers;
}
