// Datasets, samples and images: thin handlers over the DatasetStore; long work runs as jobs.
// Imports read a path on the studio's machine or files uploaded; exports write a folder there, or a
// .zip offered for download.
import { ApiError } from '../../shared/api';
import type { ImportProgress } from '../../shared/datasets';
import { basename } from 'node:path';
import type { AreaHandlers } from './handlers';
import type { CoreContext } from './studio-core';
import { fileSafe } from './file-names';

export function datasetHandlers(ctx: CoreContext) {
  const store = ctx.datasets;
  return {
    'datasets.list': async () => store.listDatasets(),
    'datasets.get': async ({ id }) => store.getDataset(id),
    'datasets.tags': async ({ datasetId }) => store.listTags(datasetId),
    'datasets.create': async ({ name, description }) => store.createDataset(name, description),
    'datasets.update': async ({ id, ...change }) => store.updateDataset(id, change),
    'datasets.delete': async ({ id }) => (store.deleteDataset(id), { deleted: true as const }),
    'datasets.import': async ({ datasetId, path, uploadId, options }) => {
      const dataset = store.getDataset(datasetId);
      const source = uploadId ? ctx.uploads.pathOf(uploadId) : path!;
      const what = uploadId ? basename(source) : source;
      return ctx.jobs.start('import', `Import ${what} into ${dataset.name}`, 'items', async ({ signal, progress }) => {
        try {
          return await store.importPath(datasetId, source, {
            ...options,
            signal,
            onProgress: (p: ImportProgress) => progress({ done: p.processed, stage: `${p.imported} imported, ${p.skipped} skipped` }),
          });
        } finally {
          if (uploadId) ctx.uploads.discard(uploadId); // the files are stored by content now
        }
      });
    },
    'datasets.export': async ({ datasetId, outDir, format, overwrite }) => {
      const dataset = store.getDataset(datasetId);
      if (outDir) {
        // the folder is checked before the job (a refusal answers the call); the job names the staging
        // folder in its journal before making it
        const target = await store.prepareExport(outDir, format, { overwrite });
        return ctx.jobs.start('export', `Export ${dataset.name} as ${format}`, 'items', ({ signal, progress, leftover }) => {
          leftover(target.staging);
          return store.exportDataset(datasetId, outDir, format, { target, signal, onProgress: (done) => progress({ done, total: dataset.sampleCount }) });
        });
      }
      return ctx.jobs.start('export', `Export ${dataset.name} as ${format} (download)`, 'items', async ({ signal, progress }) => {
        const { result, download } = await ctx.downloads.zipped(
          `${fileSafe(dataset.name)}-${format}`,
          async (dir) => {
            // the downloads folder is the studio's own, inside its data folder
            const target = await store.prepareExport(dir, format, { studioOwned: true });
            return store.exportDataset(datasetId, dir, format, { target, signal, onProgress: (done) => progress({ done, total: dataset.sampleCount }) });
          },
          signal,
        );
        return { ...result, files: result.files.map((f) => basename(f)), download };
      });
    },
    'uploads.begin': async ({ files }) => ctx.uploads.begin(files),
    'uploads.write': async ({ uploadId, path, offset, dataBase64 }) => ctx.uploads.write(uploadId, path, offset, Buffer.from(dataBase64, 'base64')),
    'uploads.discard': async ({ uploadId }) => (ctx.uploads.discard(uploadId), { discarded: true as const }),
    'datasets.assignSplits': async ({ datasetId, ratios, seed, stratify }) => store.assignSplits(datasetId, ratios, seed, stratify),
    'datasets.splitLeaks': async ({ datasetId }) => store.findSplitLeaks(datasetId),
    'datasets.createVersion': async ({ datasetId, note }) => store.createVersion(datasetId, { note }),
    'datasets.versions': async ({ datasetId }) => store.listVersions(datasetId),
    'datasets.versionDiff': async ({ datasetId, from, to }) => store.diffVersions(datasetId, from, to),
    'datasets.restoreVersion': async ({ datasetId, versionId }) => store.restoreVersion(datasetId, versionId),

    'samples.page': async (query) => store.pageSamples(query),
    'samples.count': async ({ datasetId, filter }) => ({ count: store.countSamples(datasetId, filter) }),
    'samples.get': async ({ id }) => {
      const sample = store.getSample(id);
      if (!sample) throw new ApiError('not_found', `no sample with id ${id}`, 'id');
      return sample;
    },
    'samples.create': async ({ datasetId, sample }) => store.createSample(datasetId, sample),
    'samples.update': async ({ id, patch }) => store.updateSample(id, patch),
    'samples.bulkUpdate': async ({ selection, change }) => ({ updated: store.bulkUpdate(selection, change) }),
    'samples.delete': async ({ selection }) => store.deleteSamples(selection),
    'samples.restore': async ({ undoToken }) => ({ restored: store.restoreSamples(undoToken) }),

    'images.add': async ({ name, dataBase64 }) => {
      const bytes = Buffer.from(dataBase64, 'base64');
      const what = name ? `"${name}"` : 'the image';
      if (bytes.length === 0) throw new ApiError('invalid_input', `images.add: ${what} is empty`, 'dataBase64');
      try {
        return await store.addImage(bytes);
      } catch (err) {
        throw new ApiError('invalid_input', `${what}: ${(err as Error).message}`, 'dataBase64');
      }
    },
  } satisfies AreaHandlers;
}
