// Image ids are the sha256 of the file's bytes. Callers treat them as opaque; this module alone
// maps a (validated) id to where its file and thumbnail live.
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const IMAGE_ID = /^[0-9a-f]{64}$/;

export class InvalidImageIdError extends Error {
  constructor(readonly id: string) {
    super(`not an image id: "${id.slice(0, 80)}"`);
    this.name = 'InvalidImageIdError';
  }
}

export function isImageId(id: unknown): id is string {
  return typeof id === 'string' && IMAGE_ID.test(id);
}

export function assertImageId(id: string): void {
  if (!isImageId(id)) throw new InvalidImageIdError(id);
}

export function imageIdOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** <dataDir>/images/ab/cdef… (no extension: the format is in the database). */
export function imageFilePath(dataDir: string, id: string): string {
  assertImageId(id);
  return join(dataDir, 'images', id.slice(0, 2), id.slice(2));
}

export function thumbnailFilePath(dataDir: string, id: string): string {
  assertImageId(id);
  return join(dataDir, 'thumbnails', id.slice(0, 2), `${id.slice(2)}.webp`);
}
