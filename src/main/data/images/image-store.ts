// Images stored once by content: the file under images/ by sha256, its row in `images`, its
// thumbnail cached under thumbnails/. Storing is two steps so that imports can write files
// (async, outside any transaction) and then record rows inside their batch transaction.
import { readFileSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import type { StudioDatabase } from '../database';
import { ApiError } from '../../../shared/errors';
import type { ImageInfo } from '../../../shared/datasets';
import { writeFileDurable } from './durable-write';
import { assertImageId, imageFilePath, imageIdOf, thumbnailFilePath } from './image-id';
import { makeThumbnail, probeImage } from './image-probe';
import { StoreLock } from './store-lock';

export interface StagedImage extends ImageInfo {
  /** false when the image was already in the store */
  isNew: boolean;
}

/** A stored file whose bytes no longer hash to its id: damaged on disk since it was stored. */
export class DamagedImageError extends ApiError {
  constructor(
    readonly id: string,
    readonly path: string,
  ) {
    super('conflict', `image ${id.slice(0, 12)}… is damaged: ${path} no longer matches its checksum`);
    this.name = 'DamagedImageError';
  }
}

export class UnknownImageError extends ApiError {
  constructor(readonly id: string) {
    super('not_found', `no image with id ${id}`);
    this.name = 'UnknownImageError';
  }
}

interface ImageRow {
  id: string;
  width: number;
  height: number;
  format: string;
  bytes: number;
}

export class ImageStore {
  /** writes of image files (shared) against the orphan sweep (exclusive) */
  readonly files = new StoreLock();
  private readonly selectOne;
  private readonly insertOne;

  constructor(
    db: StudioDatabase,
    private readonly dataDir: string,
  ) {
    this.selectOne = db.prepare<[string], ImageRow>('SELECT id, width, height, format, bytes FROM images WHERE id = ?');
    this.insertOne = db.prepare(
      'INSERT OR IGNORE INTO images (id, width, height, format, bytes, created_at) VALUES (@id, @width, @height, @format, @bytes, @createdAt)',
    );
  }

  get(id: string): ImageInfo | null {
    assertImageId(id);
    return this.selectOne.get(id) ?? null;
  }

  /**
   * Checks the bytes and writes the file and thumbnail if the image is not stored yet. Throws
   * ImageRejectedError (with the reason) for anything that is not a usable image. The row is
   * not written: call record() inside the transaction that uses the image.
   */
  async stage(bytes: Uint8Array): Promise<StagedImage> {
    const id = imageIdOf(bytes);
    const known = this.selectOne.get(id);
    if (known) return { ...known, isNew: false };
    const probed = await probeImage(bytes);
    await this.files.withShared(async () => {
      await writeFileDurable(imageFilePath(this.dataDir, id), bytes);
      await writeFileDurable(thumbnailFilePath(this.dataDir, id), probed.thumbnail);
    });
    return { id, width: probed.width, height: probed.height, format: probed.format, bytes: bytes.byteLength, isNew: true };
  }

  /** Writes the image's row (if absent). Call inside a transaction, after stage(). */
  record(image: ImageInfo): void {
    const { id, width, height, format, bytes } = image;
    this.insertOne.run({ id, width, height, format, bytes, createdAt: Date.now() });
  }

  /** stage() and record() in one go: for adding a single image outside an import. */
  async add(bytes: Uint8Array): Promise<ImageInfo> {
    const staged = await this.stage(bytes);
    this.record(staged);
    const { isNew: _isNew, ...info } = staged;
    return info;
  }

  /** The stored file of a known image (the id is validated, never used as a path as is). */
  filePath(id: string): string {
    if (!this.get(id)) throw new UnknownImageError(id);
    return imageFilePath(this.dataDir, id);
  }

  /** The stored bytes, checked against the id (their sha256); throws DamagedImageError. */
  async readVerified(id: string): Promise<Buffer> {
    const path = this.filePath(id);
    return verified(id, path, await readFile(path));
  }

  readVerifiedSync(id: string): Buffer {
    const path = this.filePath(id);
    return verified(id, path, readFileSync(path));
  }

  /** The image's 256-pixel WebP thumbnail, made on demand and cached. */
  async thumbnailPath(id: string): Promise<string> {
    const source = this.filePath(id);
    const thumb = thumbnailFilePath(this.dataDir, id);
    try {
      await access(thumb);
    } catch {
      await writeFileDurable(thumb, await makeThumbnail(await readFile(source)));
    }
    return thumb;
  }
}

function verified(id: string, path: string, bytes: Buffer): Buffer {
  if (imageIdOf(bytes) !== id) throw new DamagedImageError(id, path);
  return bytes;
}
