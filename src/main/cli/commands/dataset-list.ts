// nanovlm dataset list [--json]
import { defaultDataFolder } from '../../data/data-folder';
import { DatasetStore } from '../../data/dataset-store';
import type { CliCommand } from '../command';
import { maxOf } from '../../../shared/array-utils';

export const command: CliCommand = {
  name: 'dataset list',
  summary: 'list the datasets with their sample counts',
  usage: 'Usage: nanovlm dataset list [--json]\n\nLists the datasets of the studio data folder ($NANOVLM_STUDIO_HOME) with their sample counts.',
  options: { json: { type: 'boolean' } },
  async run(args, io) {
    const store = DatasetStore.open(defaultDataFolder());
    try {
      const datasets = store.listDatasets();
      if (args.values.json) {
        io.out(
          `${JSON.stringify(
            datasets.map((d) => ({ id: d.id, name: d.name, samples: d.sampleCount, status: d.statusCounts, split: d.splitCounts })),
            null,
            2,
          )}\n`,
        );
        return 0;
      }
      if (datasets.length === 0) {
        io.out('No datasets yet (nanovlm dataset import <folder|file> --name NAME).\n');
        return 0;
      }
      const width = maxOf(
        datasets.map((d) => d.name.length),
        4,
      );
      io.out(`${'NAME'.padEnd(width)}  SAMPLES  TRAIN    VAL   TEST\n`);
      for (const d of datasets) {
        const { train, val, test } = d.splitCounts;
        io.out(
          `${d.name.padEnd(width)}  ${String(d.sampleCount).padStart(7)}  ${String(train).padStart(5)}  ${String(val).padStart(5)}  ${String(test).padStart(5)}\n`,
        );
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
