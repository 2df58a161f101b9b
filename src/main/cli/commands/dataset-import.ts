// nanovlm dataset import <folder|file> --name NAME
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultDataFolder } from '../../data/data-folder';
import { DatasetStore } from '../../data/dataset-store';
import { importReportText } from '../../data/import/report-text';
import { lockDataFolder } from '../studio-lock';
import { requireString, UsageError, type CliCommand } from '../command';

export const command: CliCommand = {
  name: 'dataset import',
  summary: 'import a folder of images, or a JSONL, CSV or Parquet file, into a dataset',
  usage: [
    'Usage: nanovlm dataset import <folder|file> --name NAME [--split train|val|test] [--tag TAG]... [--allow-outside-paths]',
    '',
    'Imports into the dataset NAME (created if needed) in the studio data folder ($NANOVLM_STUDIO_HOME):',
    '  a folder of images (recursive; photo.json / photo.txt beside a photo give its texts),',
    '  .jsonl / .json: {"images": [...], "texts": [{"user", "assistant"}]} or {"messages": [...], "images": [...]},',
    '  .csv: image,question,answer,',
    '  .parquet: the_cauldron / FineVision layout (images, texts).',
    'Image paths must lead inside the imported folder (for a file: its folder), links included;',
    '--allow-outside-paths reads them wherever they lead.',
    'Prints a report naming every skipped file or row with its reason. Exit code 0 even when rows',
    'were skipped; 1 when nothing could be imported.',
  ].join('\n'),
  options: {
    name: { type: 'string' },
    split: { type: 'string' },
    tag: { type: 'string', multiple: true },
    'allow-outside-paths': { type: 'boolean' },
  },
  allowPositionals: true,
  async run(args, io) {
    const target = args.positionals[0];
    if (!target || args.positionals.length > 1) throw new UsageError('give exactly one folder or file to import');
    const name = requireString(args, 'name');
    const split = args.values.split as string | undefined;
    if (split !== undefined && !['train', 'val', 'test'].includes(split)) throw new UsageError(`--split: expected train, val or test, not "${split}"`);
    const dataDir = defaultDataFolder();
    mkdirSync(dataDir, { recursive: true });
    const lock = lockDataFolder(dataDir);
    const store = DatasetStore.open(dataDir);
    try {
      const dataset = store.datasetNamed(name);
      const report = await store.importPath(dataset.id, resolve(target), {
        signal: io.signal,
        split: split as 'train' | 'val' | 'test' | undefined,
        tags: args.values.tag as string[] | undefined,
        allowOutsidePaths: args.values['allow-outside-paths'] === true,
        onProgress: (p) => io.err(`\r${p.processed} read, ${p.imported} imported, ${p.skipped} skipped`),
      });
      io.err('\n');
      io.out(importReportText(report, dataset.name));
      return report.imported === 0 && report.skipped > 0 ? 1 : 0;
    } finally {
      store.close();
      lock.release();
    }
  },
};
