// Chat: conversations about photos with any registered model.
import { changeSettings, DEFAULT_GENERATION_SETTINGS } from '../../shared/chat';
import { draftAnswers } from '../chat/draft-answers';
import type { AreaHandlers } from './handlers';
import type { CoreContext } from './studio-core';

export function chatHandlers(ctx: CoreContext) {
  return {
    'chat.list': async ({ query }) => ctx.chats.list(query || undefined),
    'chat.get': async ({ chatId }) => ctx.chat.detail(chatId),
    'chat.update': async ({ chatId, ...change }) => ctx.chat.update(chatId, change),
    'chat.export': async ({ chatId, format }) => ctx.chat.exportChat(chatId, format),
    'chat.showVariant': async ({ messageId }) => ctx.chat.showVariant(messageId),
    'chat.samplePreview': async ({ messageId, scope }) => ctx.chat.samplePreview(messageId, scope),
    'chat.send': async (input) => ctx.chat.send(input),
    'chat.prefill': async (input) => ctx.chat.prefill(input),
    'chat.stop': async ({ messageId }) => ctx.chat.stop(messageId),
    'chat.regenerate': async ({ messageId, settings }) => ctx.chat.regenerate(messageId, settings),
    'chat.feedback': async ({ messageId, ...change }) => ctx.chat.feedback(messageId, change),
    'chat.toSample': async ({ messageId, datasetId, scope }) => ctx.chat.toSample(messageId, datasetId, scope),
    'datasets.draftAnswers': async ({ selection, modelId, settings, defaultQuestion }) => {
      const model = ctx.models.get(modelId);
      // drafts are greedy unless the call says otherwise
      const request = { selection, model, settings: changeSettings({ ...DEFAULT_GENERATION_SETTINGS, greedy: true }, settings), defaultQuestion };
      return ctx.jobs.start('draft', `Draft answers with ${model.name}`, 'items', (job) => draftAnswers(ctx.datasets, ctx.engines, request, job));
    },
    'chat.delete': async ({ chatId }) => (ctx.chats.deleteChat(chatId), { deleted: true as const }),
  } satisfies AreaHandlers;
}
