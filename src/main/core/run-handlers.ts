// Training runs: list, detail (metrics and log), start, cancel, resume; hand a run to nanoVLM's
// trainer and take its checkpoints back.
import type { AreaHandlers } from './handlers';
import type { CoreContext } from './studio-core';

export function runHandlers(ctx: CoreContext) {
  return {
    'runs.list': async () => ctx.runs.list(),
    'runs.get': async ({ id }) => ctx.runs.detail(id),
    'runs.start': async (settings) => ctx.runManager.start(settings),
    'runs.cancel': async ({ id }) => ctx.runManager.cancel(id),
    'runs.resume': async ({ id }) => ctx.runManager.resume(id),
    'runs.exportElsewhere': async ({ id, outDir, processes }) => ctx.runManager.handOff(id, outDir, processes),
    'runs.addCheckpoint': async ({ folder, id, step }) => ctx.runManager.importCheckpoint(folder, id, step),
    'runs.predictions': async ({ id, ...options }) => (ctx.runs.get(id), ctx.runs.predictions(id, options)),
  } satisfies AreaHandlers;
}
