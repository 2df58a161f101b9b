// Every API method's implementation, by name. Each area keeps its handlers in its own file.
import type { MethodInput, MethodName, MethodOutput } from '../../shared/api';
import type { CoreContext } from './studio-core';
import { chatHandlers } from './chat-handlers';
import { datasetHandlers } from './dataset-handlers';
import { jobHandlers } from './job-handlers';
import { modelHandlers } from './model-handlers';
import { runHandlers } from './run-handlers';
import { systemHandlers } from './system-handlers';

export type Handlers = { [M in MethodName]: (input: MethodInput<M>) => Promise<MethodOutput<M>> };

export function createHandlers(ctx: CoreContext): Handlers {
  return {
    ...systemHandlers(ctx),
    ...jobHandlers(ctx),
    ...datasetHandlers(ctx),
    ...modelHandlers(ctx),
    ...runHandlers(ctx),
    ...chatHandlers(ctx),
  };
}
