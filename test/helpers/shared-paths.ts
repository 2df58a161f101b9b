// The read-only shared folder beside the repository (../shared): fixtures, photos, spec.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_DIR = process.env.NANOVLM_SHARED_DIR ?? resolve(fileURLToPath(new URL('../..', import.meta.url)), '..', 'shared');
export const FIXTURES_DIR = join(SHARED_DIR, 'fixtures');
export const PHOTOS_DIR = join(SHARED_DIR, 'photos');
export const fixtureDir = (family: 'prefix' | 'inline' | 'split'): string => join(FIXTURES_DIR, family);
