// Decodes an image once with sharp to check it (format, pixel limit, corruption or truncation)
// and to make its thumbnail: a full decode is the only way to notice a file cut short. No EXIF
// rotation: the thumbnail shows the pixels as the model will see them.
import sharp from 'sharp';

type Metadata = Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
import { MAX_IMAGE_PIXELS } from '../../../shared/limits';

/** Formats that both sharp and the Python side (Pillow) read. */
export const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff']);
export const THUMBNAIL_SIZE = 256;

export interface ProbedImage {
  width: number;
  height: number;
  format: string;
  thumbnail: Buffer;
}

/** The image was refused; `message` is the reason shown in import reports. */
export class ImageRejectedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ImageRejectedError';
  }
}

async function readHeader(bytes: Uint8Array): Promise<Metadata> {
  try {
    return await sharp(bytes, { limitInputPixels: false }).metadata(); // the header only; the limit is checked below
  } catch (err) {
    const message = (err as Error).message;
    if (/unsupported image format/i.test(message)) throw new ImageRejectedError('not an image (unrecognised format)');
    throw new ImageRejectedError(`corrupt image: ${firstLine(message)}`);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/^Input buffer has corrupt header: /, '');
}

export function makeThumbnail(bytes: Uint8Array): Promise<Buffer> {
  return sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'truncated' })
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
}

export async function probeImage(bytes: Uint8Array): Promise<ProbedImage> {
  if (bytes.byteLength === 0) throw new ImageRejectedError('empty file');
  const meta = await readHeader(bytes);
  const format = meta.format ?? 'unknown';
  if (!ACCEPTED_FORMATS.has(format)) throw new ImageRejectedError(`unsupported image format "${format}"`);
  const { width, height } = meta;
  if (!width || !height) throw new ImageRejectedError('corrupt image: no dimensions');
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new ImageRejectedError(`image is over the pixel limit (${width}×${height} > ${MAX_IMAGE_PIXELS} pixels)`);
  }
  try {
    return { width, height, format, thumbnail: await makeThumbnail(bytes) };
  } catch (err) {
    throw new ImageRejectedError(`corrupt or truncated image: ${firstLine((err as Error).message)}`);
  }
}
