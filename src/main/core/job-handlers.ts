// jobs.list and jobs.cancel: every long piece of work, whatever started it.
import type { AreaHandlers } from './handlers';
import type { CoreContext } from './studio-core';

export function jobHandlers(ctx: CoreContext) {
  return {
    'jobs.list': async () => ctx.jobs.list(),
    'jobs.cancel': async ({ id }) => ctx.jobs.cancel(id),
  } satisfies AreaHandlers;
}
