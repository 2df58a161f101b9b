// nanovlm dataset export NAME --format jsonl|sharegpt|parquet --out DIR
import { resolve } from 'node:path';
import { defaultDataFolder } from '../../data/data-folder';
import { DatasetStore } from '../../data/dataset-store';
import { requireString, UsageError, type CliCommand } from '../command';
import type { ExportFormat } from '../../../shared/datasets';

const FORMATS: ExportFormat[] = ['jsonl', 'sharegpt', 'parquet'];

export const command: CliCommand = {
  name: 'dataset export',
  summary: 'export a dataset as JSONL + images, or as Parquet (the_cauldron layout)',
  usage: [
    'Usage: nanovlm dataset export NAME --format jsonl|sharegpt|parquet --out DIR [--overwrite]',
    '',
    'DIR must be new or empty; --overwrite replaces the files of an earlier export there. The files',
    'appear in DIR only once the export is complete.',
    '',
    '  jsonl     DIR/data.jsonl ({"images", "texts", "split", "status", "tags"}) and DIR/images/',
    '  sharegpt  the same, rows in the LLaMA-Factory layout ({"messages", "images"})',
    '  parquet   DIR/data/{train,validation,test}-00000-of-00001.parquet, as nanoVLM training reads them;',
    '            rejected samples and samples with an unanswered turn are left out (and listed)',
  ].join('\n'),
  options: {
    format: { type: 'string' },
    out: { type: 'string' },
    overwrite: { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args, io) {
    const name = args.positionals[0];
    if (!name || args.positionals.length > 1) throw new UsageError('give the name of one dataset to export');
    const format = requireString(args, 'format') as ExportFormat;
    if (!FORMATS.includes(format)) throw new UsageError(`--format: expected ${FORMATS.join(', ')}, not "${format}"`);
    const outDir = resolve(requireString(args, 'out'));
    const store = DatasetStore.open(defaultDataFolder());
    try {
      const id = store.datasets.findByName(name);
      if (id === null) throw new Error(`no dataset named "${name}" (see nanovlm dataset list)`);
      const report = await store.exportDataset(id, outDir, format, { overwrite: args.values.overwrite === true, signal: io.signal });
      io.out(`Exported ${report.samples} sample(s) and ${report.images} image(s) of "${name}":\n${report.files.map((f) => `  ${f}\n`).join('')}`);
      if (report.skipped.length) {
        io.out(`Left out ${report.skipped.length} sample(s):\n${report.skipped.map((s) => `  sample ${s.sampleId}: ${s.reason}\n`).join('')}`);
      }
      return 0;
    } finally {
      store.close();
    }
  },
};
