// A studio core in a temp folder for the API tests: typed calls, a registered fixture model, and
// waiting for an answer to end.
import type { ChatMessage } from '../../src/shared/chat';
import type { Job } from '../../src/shared/jobs';
import type { ModelInfo } from '../../src/shared/models';
import { createStudioCore, type StudioCore } from '../../src/main/core/studio-core';
import { fixtureModelFolder } from './fixture-model';
import { makeTempDir } from './temp-dir';

export interface TestCore {
  core: StudioCore;
  call<T>(method: string, input: unknown): Promise<T>;
  /** registers a fixture checkpoint of the family as a folder model */
  addFixtureModel(family: 'prefix' | 'inline' | 'split'): Promise<ModelInfo>;
  /** resolves when the answer has ended (done, stopped, failed) */
  answerEnded(messageId: number): Promise<ChatMessage>;
  close(): void;
}

export function startTestCore(): TestCore {
  const temp = makeTempDir();
  const core = createStudioCore({ dataDir: temp.path, door: 'web' });
  const call = <T>(method: string, input: unknown) => core.call(method, input) as Promise<T>;
  return {
    core,
    call,
    addFixtureModel: async (family) =>
      (await core.jobs.settled((await call<Job>('models.add', { reference: fixtureModelFolder(family) })).id)).result as ModelInfo,
    answerEnded: (messageId) =>
      new Promise<ChatMessage>((resolve) => {
        const stop = core.events.on('chat.message', (m) => {
          if (m.id === messageId && m.status !== 'streaming') {
            stop();
            resolve(m);
          }
        });
      }),
    close: () => {
      core.close();
      temp.remove();
    },
  };
}
