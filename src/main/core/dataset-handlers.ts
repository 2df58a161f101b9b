// Datasets, samples and images: thin handlers over the DatasetStore; long work runs as jobs.
import type { MethodInput, MethodName } from '../../shared/api';
import { ApiError } from '../../shared/api';
import type { ImportProgress } from '../../shared/datasets';
import type { CoreContext } from './studio-core';

type In<M extends MethodName> = MethodInput<M>;

export function datasetHandlers(ctx: CoreContext) {
  const store = ctx.datasets;
  return {
    'datasets.list': async () => store.listDatasets(),
    'datasets.get': async ({ id }: In<'datasets.get'>) => store.getDataset(id),
    'datasets.tags': async ({ datasetId }: In<'datasets.tags'>) => store.listTags(datasetId),
    'datasets.create': async ({ name, description }: In<'datasets.create'>) => store.createDataset(name, description),
    'datasets.update': async ({ id, ...change }: In<'datasets.update'>) => store.updateDataset(id, change),
    'datasets.delete': async ({ id }: In<'datasets.delete'>) => (store.deleteDataset(id), { deleted: true as const }),
    'datasets.import': async ({ datasetId, path, options }: In<'datasets.import'>) => {
      const dataset = store.getDataset(datasetId);
      return ctx.jobs.start('import', `Import ${path} into ${dataset.name}`, 'items', ({ signal, progress }) =>
        store.importPath(datasetId, path, {
          ...options,
          signal,
          onProgress: (p: ImportProgress) => progress({ done: p.processed, stage: `${p.imported} imported, ${p.skipped} skipped` }),
        }),
      );
    },
    'datasets.export': async ({ datasetId, outDir, format }: In<'datasets.export'>) => {
      const dataset = store.getDataset(datasetId);
      return ctx.jobs.start('export', `Export ${dataset.name} as ${format}`, 'items', () => store.exportDataset(datasetId, outDir, format));
    },
    'datasets.assignSplits': async ({ datasetId, ratios, seed }: In<'datasets.assignSplits'>) => store.assignSplits(datasetId, ratios, seed),
    'datasets.splitLeaks': async ({ datasetId }: In<'datasets.splitLeaks'>) => store.findSplitLeaks(datasetId),
    'datasets.createVersion': async ({ datasetId, note }: In<'datasets.createVersion'>) => store.createVersion(datasetId, { note }),
    'datasets.versions': async ({ datasetId }: In<'datasets.versions'>) => store.listVersions(datasetId),

    'samples.page': async (query: In<'samples.page'>) => store.pageSamples(query),
    'samples.count': async ({ datasetId, filter }: In<'samples.count'>) => ({ count: store.countSamples(datasetId, filter) }),
    'samples.get': async ({ id }: In<'samples.get'>) => {
      const sample = store.getSample(id);
      if (!sample) throw new ApiError('not_found', `no sample with id ${id}`, 'id');
      return sample;
    },
    'samples.create': async ({ datasetId, sample }: In<'samples.create'>) => store.createSample(datasetId, sample),
    'samples.update': async ({ id, patch }: In<'samples.update'>) => store.updateSample(id, patch),
    'samples.bulkUpdate': async ({ selection, change }: In<'samples.bulkUpdate'>) => ({ updated: store.bulkUpdate(selection, change) }),
    'samples.delete': async ({ selection }: In<'samples.delete'>) => store.deleteSamples(selection),
    'samples.restore': async ({ undoToken }: In<'samples.restore'>) => ({ restored: store.restoreSamples(undoToken) }),

    'images.add': async ({ name, dataBase64 }: In<'images.add'>) => {
      const bytes = Buffer.from(dataBase64, 'base64');
      const what = name ? `"${name}"` : 'the image';
      if (bytes.length === 0) throw new ApiError('invalid_input', `images.add: ${what} is empty`, 'dataBase64');
      try {
        return await store.addImage(bytes);
      } catch (err) {
        throw new ApiError('invalid_input', `${what}: ${(err as Error).message}`, 'dataBase64');
      }
    },
  };
}
