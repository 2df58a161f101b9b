// Training runs: list, detail (metrics and log), start, cancel, resume.
import type { MethodInput } from '../../shared/api';
import type { CoreContext } from './studio-core';

export function runHandlers(ctx: CoreContext) {
  return {
    'runs.list': async () => ctx.runs.list(),
    'runs.get': async ({ id }: MethodInput<'runs.get'>) => ctx.runs.detail(id),
    'runs.start': async (input: MethodInput<'runs.start'>) => ctx.runManager.start(input),
    'runs.cancel': async ({ id }: MethodInput<'runs.cancel'>) => ctx.runManager.cancel(id),
    'runs.resume': async ({ id }: MethodInput<'runs.resume'>) => ctx.runManager.resume(id),
    'runs.predictions': async ({ id, ...options }: MethodInput<'runs.predictions'>) => (ctx.runs.get(id), ctx.runs.predictions(id, options)),
  };
}
