// Models: list, add (Hub download or local folder, as a job with byte progress), remove.
import { isLocalReference, resolveModel, type DownloadProgress } from '../hub/hub';
import type { AreaHandlers } from './handlers';
import type { CoreContext } from './studio-core';

export function modelHandlers(ctx: CoreContext) {
  return {
    'models.list': async () => ctx.models.list(),
    'models.add': async ({ reference, name }) => {
      const local = isLocalReference(reference);
      return ctx.jobs.start('download', local ? `Add ${reference}` : `Download ${reference}`, 'bytes', async ({ signal, progress }) => {
        const received = new Map<string, number>();
        const totals = new Map<string, number>();
        const onProgress = (e: DownloadProgress) => {
          received.set(`${e.repo}/${e.file}`, e.receivedBytes);
          if (e.totalBytes !== undefined) totals.set(`${e.repo}/${e.file}`, e.totalBytes);
          const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
          progress({ done: sum(received), total: sum(totals) || undefined, stage: e.file });
        };
        const resolved = await resolveModel(reference, { signal, onProgress });
        return ctx.models.register({
          source: local ? 'folder' : 'hub',
          reference: local ? resolved.folder : reference,
          folder: resolved.folder,
          tokenizerFolder: resolved.tokenizerFolder,
          name,
        });
      });
    },
    'models.remove': async ({ id }) => ctx.models.remove(id),
    'models.export': async ({ id, quant }) => ctx.engines.exportModel(id, quant),
  } satisfies AreaHandlers;
}
