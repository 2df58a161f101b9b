// Fixtures for the datasets tests: temp data folders, the test photos, and generated images
// (distinct small JPEGs, a PNG whose header claims more pixels than the limit).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { DatasetStore } from '../../src/main/data/dataset-store';
import { PHOTOS_DIR as PHOTOS } from './fixture-paths';

export { PHOTOS };

export function photo(name: string): Buffer {
  return readFileSync(join(PHOTOS, name));
}

export function tempDir(prefix = 'nanovlm-data-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A fresh store in a temp data folder; close() also removes the folder. */
export function tempStore(): { store: DatasetStore; dataDir: string; close: () => void } {
  const dir = tempDir();
  const store = DatasetStore.open(dir.path);
  return {
    store,
    dataDir: dir.path,
    close: () => {
      store.close();
      dir.remove();
    },
  };
}

/** A small JPEG that differs for every seed: a gradient, with the seed's bits as 8×8 black/white blocks. */
export async function generatedJpeg(seed: number, width = 96, height = 64): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  const blocksPerRow = Math.floor(width / 8);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const block = Math.floor(y / 8) * blocksPerRow + Math.floor(x / 8);
      if (block < 24) {
        pixels.fill((seed >> block) & 1 ? 255 : 0, i, i + 3);
      } else {
        pixels[i] = (x * 3 + seed * 37) & 255;
        pixels[i + 1] = (y * 5 + seed * 11) & 255;
        pixels[i + 2] = (x ^ y) & 255;
      }
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** A valid tiny PNG whose header says width × height: enough to test the pixel limit cheaply. */
export async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(
    await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } })
      .png()
      .toBuffer(),
  );
  // IHDR data starts at 16 (8 signature + 4 length + 4 type); its CRC covers type + 13 bytes.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}
