// Models: list, add (Hub download or local folder, as a job with byte progress), remove, and the
// ONNX export (kept in the cache; copied to a folder or zipped for download when asked).
import { isLocalReference, resolveModel, type DownloadProgress } from '../hub/hub';
import { ApiError } from '../../shared/api';
import { modelCatalogue } from './model-catalogue';
import { copyExportTo, zipExport } from './onnx-delivery';
import type { AreaHandlers } from './handlers';
import type { CoreContext } from './studio-core';

export function modelHandlers(ctx: CoreContext) {
  return {
    'models.list': async () => ctx.models.list(),
    'models.catalogue': async () => modelCatalogue(ctx.models.list()),
    'models.add': async ({ reference, name }) => {
      const local = isLocalReference(reference);
      return ctx.jobs.start('download', local ? `Add ${reference}` : `Download ${reference}`, 'bytes', async ({ signal, progress }) => {
        const received = new Map<string, number>();
        const totals = new Map<string, number>();
        /** files whose download picked up from what an earlier, interrupted one left */
        const resumed = new Map<string, number>();
        const onProgress = (e: DownloadProgress) => {
          const key = `${e.repo}/${e.file}`;
          if (!received.has(key) && !e.cached && e.receivedBytes > 0) resumed.set(key, e.receivedBytes);
          received.set(key, e.receivedBytes);
          if (e.totalBytes !== undefined) totals.set(key, e.totalBytes);
          const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
          const from = resumed.get(key);
          progress({ done: sum(received), total: sum(totals) || undefined, stage: from ? `${e.file}, resumed at ${(from / 2 ** 20).toFixed(1)} MB` : e.file });
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
    'models.export': async ({ id, quant, outDir, download }) => {
      const model = ctx.models.get(id);
      if (outDir && download) throw new ApiError('invalid_input', 'models.export: give outDir or download, not both', 'download');
      if (outDir) return ctx.engines.exportModel(id, quant, async (exported) => copyExportTo(outDir, model, quant, exported));
      if (download) return ctx.engines.exportModel(id, quant, (exported, signal) => zipExport(ctx.downloads, model, quant, exported, signal));
      return ctx.engines.exportModel(id, quant);
    },
  } satisfies AreaHandlers;
}
