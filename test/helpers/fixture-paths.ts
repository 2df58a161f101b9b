// Where the tests' checked-in data lives (test/fixtures, see its README): nanoVLM's golden
// checkpoints and outputs per family, the preprocessing cases, and the photos.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures', import.meta.url));
export const PHOTOS_DIR = join(FIXTURES_DIR, 'photos');
export const fixtureDir = (family: 'prefix' | 'inline' | 'split'): string => join(FIXTURES_DIR, family);
