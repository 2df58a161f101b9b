// How models are named on screen: their source and family in words.
import type { ModelInfo, ModelSource } from '../../../shared/models';

export const SOURCE_LABELS: Record<ModelSource, string> = { demo: 'Demo', hub: 'Hub', folder: 'Folder', run: 'Run' };

export const FAMILY_LABELS: Record<ModelInfo['family'], string> = {
  prefix: 'Prefix',
  inline: 'Inline',
  split: 'Split (tiles)',
};

/** As the core decides: a path-looking reference is a folder, "owner/name" is a Hub repo id. */
export function isFolderReference(reference: string): boolean {
  return /^(\.{1,2}[\\/]|[\\/]|~|[A-Za-z]:[\\/])/.test(reference) || reference.split(/[\\/]/).length !== 2;
}
