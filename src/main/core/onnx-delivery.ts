// Where a model's ONNX export goes when the person asks for it: a folder of theirs, or a .zip to
// download. Either way it is a folder that stands alone: the graphs and their manifest, with the
// checkpoint's config.json and the tokenizer files beside them. A folder already there is not
// written into: the person chooses another, nothing of theirs is overwritten.
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../shared/api';
import type { ModelInfo } from '../../shared/models';
import type { CachedExport } from '../onnx/export-cache';
import type { Downloads } from './downloads';
import { fileSafe } from './file-names';

const BESIDE = { checkpoint: ['config.json'], tokenizer: ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'] } as const;

export function exportFolderName(model: ModelInfo, quant: string): string {
  return `${fileSafe(model.name, model.id)}-onnx-${quant === 'none' ? 'fp32' : quant}`;
}

/** Fills `dir` (made already, or made here) with the export and what it needs to stand alone. */
function fill(dir: string, model: ModelInfo, exported: CachedExport): void {
  cpSync(exported.dir, dir, { recursive: true });
  for (const f of BESIDE.checkpoint) if (existsSync(join(model.folder, f))) cpSync(join(model.folder, f), join(dir, f));
  for (const f of BESIDE.tokenizer) if (existsSync(join(model.tokenizerFolder, f))) cpSync(join(model.tokenizerFolder, f), join(dir, f));
}

export function copyExportTo(outDir: string, model: ModelInfo, quant: string, exported: CachedExport): { copiedTo: string } {
  const target = join(outDir, exportFolderName(model, quant));
  if (existsSync(target) && readdirSync(target).length) {
    throw new ApiError('conflict', `${target} already exists and is not empty: choose another folder`, 'outDir');
  }
  fill(target, model, exported);
  return { copiedTo: target };
}

export async function zipExport(downloads: Downloads, model: ModelInfo, quant: string, exported: CachedExport, signal: AbortSignal) {
  const { download } = await downloads.zipped(exportFolderName(model, quant), async (dir) => fill(dir, model, exported), signal);
  return { download };
}
