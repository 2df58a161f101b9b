// Every API method's implementation, by name. Each area keeps its handlers in its own file, an
// object that `satisfies AreaHandlers`: its parameters are then typed from the contract, as the
// door hands them over (parsed, defaults filled in), with no annotation to get wrong.
import type { MethodName, MethodOutput, ParsedInput } from '../../shared/api';
import type { CoreContext } from './studio-core';
import { chatHandlers } from './chat-handlers';
import { datasetHandlers } from './dataset-handlers';
import { jobHandlers } from './job-handlers';
import { modelHandlers } from './model-handlers';
import { runHandlers } from './run-handlers';
import { hubHandlers } from './hub-handlers';
import { systemHandlers } from './system-handlers';

export type Handler<M extends MethodName> = (input: ParsedInput<M>) => Promise<MethodOutput<M>>;
export type Handlers = { [M in MethodName]: Handler<M> };
/** Some of the methods: what one area's file provides. */
export type AreaHandlers = Partial<Handlers>;

export function createHandlers(ctx: CoreContext): Handlers {
  return {
    ...systemHandlers(ctx),
    ...jobHandlers(ctx),
    ...datasetHandlers(ctx),
    ...modelHandlers(ctx),
    ...runHandlers(ctx),
    ...chatHandlers(ctx),
    ...hubHandlers(ctx),
  };
}
