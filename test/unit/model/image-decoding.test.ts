// Awkward inputs: palette, greyscale, alpha, 16-bit, CMYK, EXIF orientation, corrupt files, huge images.
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PHOTOS_DIR } from '../../helpers/fixture-paths';
import { decodeRgb, ImageError, processImage } from '../../../src/main/model/image-processor';

const PHOTOS = PHOTOS_DIR;
const SQUARE = { tileSize: 32 };
const SPLIT = { tileSize: 32, split: { maxSide: 64, resizeToMaxSideLen: false } };

const solid = (width: number, height: number, pixel: number[]): Buffer => Buffer.from(Array.from({ length: width * height }, () => pixel).flat());

/** A PNG whose header claims width × height but holds no real pixel data. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', Buffer.alloc(16)), chunk('IEND', Buffer.alloc(0))]);
}

describe('awkward photos', () => {
  it.each(['foo3x5x4indexed.png', 'green_palette.png', 'chessboard_GRAY.png', 'hubble_deep_field.jpg', 'rocket.jpg', 'astronaut.png'])(
    '%s decodes to RGB tiles',
    async (file) => {
      for (const settings of [SQUARE, SPLIT]) {
        const got = await processImage(join(PHOTOS, file), settings);
        expect(got.pixels).toHaveLength(got.tileCount * 3 * 32 * 32);
        expect(got.pixels.every((v) => v >= 0 && v <= 1)).toBe(true);
      }
    },
  );

  it('greyscale gives three equal channels', async () => {
    const { data } = await decodeRgb(join(PHOTOS, 'chessboard_GRAY.png'), 'chessboard_GRAY.png');
    for (let i = 0; i < data.length; i += 3) expect(data[i + 1] === data[i] && data[i + 2] === data[i]).toBe(true);
  });

  it('drops alpha without compositing, like PIL convert("RGB")', async () => {
    const png = await sharp(solid(4, 4, [200, 10, 20, 0]), { raw: { width: 4, height: 4, channels: 4 } })
      .png()
      .toBuffer();
    const { data } = await decodeRgb(png, 'transparent.png');
    expect(Array.from(data.subarray(0, 3))).toEqual([200, 10, 20]);
  });

  it('reads 16-bit and CMYK images as 8-bit sRGB', async () => {
    const png16 = await sharp(solid(4, 4, [255, 128, 0]), { raw: { width: 4, height: 4, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const rgb16 = await decodeRgb(png16, 'deep.png');
    expect(Array.from(rgb16.data.subarray(0, 3)).map((v) => Math.round(v / 8))).toEqual([32, 16, 0]);
    const cmyk = await sharp(solid(8, 8, [255, 0, 0]), { raw: { width: 8, height: 8, channels: 3 } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const red = await decodeRgb(cmyk, 'cmyk.jpg');
    expect(red.data[0]).toBeGreaterThan(200);
    expect(red.data[1]).toBeLessThan(60);
  });

  it('applies EXIF orientation', async () => {
    const wide = await sharp(solid(8, 4, [0, 0, 255]), { raw: { width: 8, height: 4, channels: 3 } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const got = await processImage(wide, SPLIT, 'rotated.jpg');
    expect(got.sourceHw).toEqual([8, 4]);
  });
});

describe('files that are not usable images', () => {
  it('truncated.jpg: a clear error naming the file', async () => {
    const err = await processImage(join(PHOTOS, 'truncated.jpg'), SQUARE).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as Error).message).toMatch(/truncated\.jpg: .*(corrupt|truncated|not a readable)/);
  });

  it('empty, non-image and missing files', async () => {
    await expect(processImage(Buffer.alloc(0), SQUARE, 'empty.png')).rejects.toThrow(/empty\.png: the file is empty/);
    await expect(processImage(Buffer.from('hello, not an image'), SQUARE, 'notes.txt')).rejects.toThrow(/notes\.txt: not a readable image/);
    await expect(processImage(join(PHOTOS, 'no-such-photo.png'), SQUARE)).rejects.toThrow(/no-such-photo\.png: cannot read/);
  });

  it('refuses images over the pixel limit before decoding them', async () => {
    await expect(processImage(pngHeaderOnly(20_000, 20_000), SQUARE, 'bomb.png')).rejects.toThrow(
      /bomb\.png: image is 20000×20000 = 400000000 pixels, more than the limit of 89478485/,
    );
    await expect(processImage(join(PHOTOS, 'chelsea.png'), { ...SQUARE, maxPixels: 1000 })).rejects.toThrow(/more than the limit of 1000/);
  });
});
