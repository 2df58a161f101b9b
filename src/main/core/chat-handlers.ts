// Chat: conversations about photos with any registered model.
import type { MethodInput } from '../../shared/api';
import { DEFAULT_GENERATION_SETTINGS } from '../../shared/chat';
import { draftAnswers } from '../chat/draft-answers';
import type { CoreContext } from './studio-core';

export function chatHandlers(ctx: CoreContext) {
  return {
    'chat.list': async () => ctx.chats.list(),
    'chat.get': async ({ chatId }: MethodInput<'chat.get'>) => ctx.chat.detail(chatId),
    'chat.send': async (input: MethodInput<'chat.send'>) => ctx.chat.send({ ...input, imageIds: input.imageIds ?? [] }),
    'chat.stop': async ({ messageId }: MethodInput<'chat.stop'>) => ctx.chat.stop(messageId),
    'chat.regenerate': async ({ messageId, settings }: MethodInput<'chat.regenerate'>) => ctx.chat.regenerate(messageId, settings),
    'chat.feedback': async ({ messageId, ...change }: MethodInput<'chat.feedback'>) => ctx.chat.feedback(messageId, change),
    'chat.toSample': async ({ messageId, datasetId }: MethodInput<'chat.toSample'>) => ctx.chat.toSample(messageId, datasetId),
    'datasets.draftAnswers': async ({ selection, modelId, settings, defaultQuestion }: MethodInput<'datasets.draftAnswers'>) => {
      const model = ctx.models.get(modelId);
      const request = { selection, model, settings: { ...DEFAULT_GENERATION_SETTINGS, greedy: true, ...settings }, defaultQuestion: defaultQuestion ?? 'Describe this image.' };
      return ctx.jobs.start('draft', `Draft answers with ${model.name}`, 'items', (job) => draftAnswers(ctx.datasets, ctx.engines, request, job));
    },
    'chat.delete': async ({ chatId }: MethodInput<'chat.delete'>) => (ctx.chats.deleteChat(chatId), { deleted: true as const }),
  };
}
