// Image preprocessing (docs/nanovlm.md, "Image preprocessing"): any photo a person gives becomes the pixel
// tiles the vision encoder reads, RGB in [0, 1], no mean/std normalisation.
//
// Decoding (sharp): EXIF orientation applied; alpha dropped without compositing, as PIL's
// convert('RGB') does (a transparent pixel keeps the colour stored under it); palette, greyscale,
// 16-bit and CMYK images converted to 8-bit sRGB. Images whose header claims more than
// MAX_IMAGE_PIXELS are refused before any pixel is decoded.
//
// Resizing: prefix and inline squash to vit_img_size² with an antialiased bilinear filter (sharp's
// 'linear' reduces with a kernel widened by the scale, like PIL). Split resizes bicubically
// (Catmull-Rom, PIL's bicubic) to the size decideSplitGrid gives, cuts P×P tiles row-major, and,
// when there is more than one tile, puts first a global view: the resized image squashed to P×P.
import { readFile } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { MAX_IMAGE_PIXELS } from '../../shared/limits';
import type { ModelSpec } from './config';
import { cutsTiles, type Grid } from './family';

export class ImageError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ImageError';
  }
}

export interface SplitSettings {
  /** max_img_size */
  maxSide: number;
  /** resize_to_max_side_len */
  resizeToMaxSideLen: boolean;
}

export interface ImageProcessorSettings {
  /** tile side P = vit_img_size */
  tileSize: number;
  /** present for the split family only */
  split?: SplitSettings;
  /** refuse larger images (default MAX_IMAGE_PIXELS) */
  maxPixels?: number;
}

export interface ProcessedImage {
  /** [tileCount, 3, tileSize, tileSize], RGB in [0, 1]; split: global view first when grid ≠ 1×1 */
  pixels: Float32Array;
  tileCount: number;
  tileSize: number;
  /** rows × columns of tiles after the global view; [1, 1] for prefix and inline */
  grid: Grid;
  /** [height, width] after decoding and orientation */
  sourceHw: [number, number];
  /** [height, width] the image was resized to before tiling */
  resizedHw: [number, number];
}

export interface SplitDecision {
  resizedHw: [number, number];
  grid: [number, number];
}

/** The preprocessing settings a model needs, from its config. */
export function imageSettingsFor(spec: ModelSpec): ImageProcessorSettings {
  const { config, family } = spec;
  if (!cutsTiles(family)) return { tileSize: config.vit_img_size };
  return {
    tileSize: config.vit_img_size,
    split: { maxSide: config.max_img_size ?? 2048, resizeToMaxSideLen: config.resize_to_max_side_len ?? false },
  };
}

/**
 * nanoVLM's split resize: the long side becomes maxSide (resizeToMaxSideLen) or
 * min(maxSide, ceil(long / P) · P); the short side keeps the aspect ratio, rounded UP to a multiple
 * of P (at least P). The arithmetic follows nanoVLM's order of operations so that float rounding
 * decides the same way.
 */
export function decideSplitGrid(height: number, width: number, tileSize: number, split: SplitSettings): SplitDecision {
  const P = tileSize;
  const wide = width >= height;
  const long = wide ? width : height;
  const short = wide ? height : width;
  const targetLong = split.resizeToMaxSideLen ? split.maxSide : Math.min(split.maxSide, Math.ceil(long / P) * P);
  const scale = targetLong / long;
  const targetShort = Math.max(P, Math.ceil((short * scale) / P) * P);
  const resizedHw: [number, number] = wide ? [targetShort, targetLong] : [targetLong, targetShort];
  return { resizedHw, grid: [resizedHw[0] / P, resizedHw[1] / P] };
}

/** Decode and preprocess one image (a file path, or its bytes with a name for messages). */
export async function processImage(input: string | Uint8Array, settings: ImageProcessorSettings, name?: string): Promise<ProcessedImage> {
  const label = name ?? (typeof input === 'string' ? input : 'image');
  const rgb = await decodeRgb(input, label, settings.maxPixels ?? MAX_IMAGE_PIXELS);
  const sourceHw: [number, number] = [rgb.height, rgb.width];
  if (!settings.split) {
    const P = settings.tileSize;
    const square = await resizeRgb(rgb, P, P, 'linear');
    return { pixels: toChw([square], P), tileCount: 1, tileSize: P, grid: [1, 1], sourceHw, resizedHw: [P, P] };
  }
  return splitImage(rgb, settings.tileSize, settings.split, sourceHw);
}

async function splitImage(rgb: RgbImage, P: number, split: SplitSettings, sourceHw: [number, number]): Promise<ProcessedImage> {
  const { resizedHw, grid } = decideSplitGrid(rgb.height, rgb.width, P, split);
  const resized = await resizeRgb(rgb, resizedHw[1], resizedHw[0], 'cubic');
  const tiles = cutTiles(resized, P, grid);
  if (grid[0] * grid[1] > 1) tiles.unshift(await resizeRgb(resized, P, P, 'linear'));
  return { pixels: toChw(tiles, P), tileCount: tiles.length, tileSize: P, grid, sourceHw, resizedHw };
}

/** 8-bit RGB pixels, row-major, 3 bytes a pixel. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Decode to oriented 8-bit sRGB, refusing images over maxPixels before decoding them. */
export async function decodeRgb(input: string | Uint8Array, label: string, maxPixels: number = MAX_IMAGE_PIXELS): Promise<RgbImage> {
  const bytes = await readInput(input, label);
  if (bytes.byteLength === 0) throw new ImageError(label, 'the file is empty');
  let meta: Metadata;
  try {
    // header only: the size check below gives the clearer message
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageError(label, `not a readable image (${messageOf(err)})`);
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  if (pixels > maxPixels) {
    throw new ImageError(label, `image is ${meta.width}×${meta.height} = ${pixels} pixels, more than the limit of ${maxPixels}`);
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error', autoOrient: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (err) {
    throw new ImageError(label, `the image data is corrupt or truncated (${messageOf(err)})`);
  }
}

async function readInput(input: string | Uint8Array, label: string): Promise<Uint8Array> {
  if (typeof input !== 'string') return input;
  try {
    return await readFile(input);
  } catch (err) {
    throw new ImageError(label, `cannot read the file (${messageOf(err)})`);
  }
}

/** Resize ignoring the aspect ratio (fit 'fill'); kernels widen when shrinking, so both are antialiased. */
async function resizeRgb(image: RgbImage, width: number, height: number, kernel: 'linear' | 'cubic'): Promise<RgbImage> {
  if (image.width === width && image.height === height) return image;
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel, fastShrinkOnLoad: false })
    .raw()
    .toBuffer();
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
}

function cutTiles(image: RgbImage, P: number, [rows, cols]: Grid): RgbImage[] {
  const tiles: RgbImage[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const data = new Uint8Array(P * P * 3);
      for (let y = 0; y < P; y++) {
        const from = ((r * P + y) * image.width + c * P) * 3;
        data.set(image.data.subarray(from, from + P * 3), y * P * 3);
      }
      tiles.push({ data, width: P, height: P });
    }
  }
  return tiles;
}

/** Interleaved 8-bit tiles → planar float [T, 3, P, P] in [0, 1]. */
function toChw(tiles: RgbImage[], P: number): Float32Array {
  const plane = P * P;
  const out = new Float32Array(tiles.length * 3 * plane);
  tiles.forEach((tile, t) => {
    const base = t * 3 * plane;
    for (let i = 0; i < plane; i++) {
      out[base + i] = tile.data[i * 3]! / 255;
      out[base + plane + i] = tile.data[i * 3 + 1]! / 255;
      out[base + 2 * plane + i] = tile.data[i * 3 + 2]! / 255;
    }
  });
  return out;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
