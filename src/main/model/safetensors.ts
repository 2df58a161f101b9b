// Safetensors: an 8-byte little-endian header length, a JSON header {name: {dtype, shape,
// data_offsets}} (plus optional __metadata__), then the raw little-endian bytes.
// Reading is lazy (one tensor at a time from an open file) so that a 900 MB checkpoint never has
// to sit in memory twice; every structural problem is reported with the file and tensor name.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write';

export type Dtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const DTYPE_BYTES: Record<Dtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** byte offsets relative to the start of the data section */
  begin: number;
  end: number;
}

export class SafetensorsError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'SafetensorsError';
  }
}

const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** An open safetensors file: the parsed header, and tensors read on demand. */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly dataStart: number,
    readonly tensors: Map<string, TensorInfo>,
    readonly metadata: Record<string, string>,
  ) {}

  static open(path: string): SafetensorsFile {
    const fd = openSync(path, 'r');
    try {
      const { dataStart, tensors, metadata } = parseHeader(path, fd);
      return new SafetensorsFile(path, fd, dataStart, tensors, metadata);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  info(name: string): TensorInfo {
    const info = this.tensors.get(name);
    if (!info) throw new SafetensorsError(this.path, `tensor "${name}" is missing`);
    return info;
  }

  /** The tensor's raw bytes, exactly as stored. */
  readBytes(name: string): Uint8Array {
    const info = this.info(name);
    const bytes = new Uint8Array(info.end - info.begin);
    const got = readSync(this.fd, bytes, 0, bytes.length, this.dataStart + info.begin);
    if (got !== bytes.length) {
      throw new SafetensorsError(this.path, `tensor "${name}" is truncated (${got} of ${bytes.length} bytes)`);
    }
    return bytes;
  }

  /** Any float dtype, converted to float32. */
  readFloat32(name: string): Float32Array {
    const info = this.info(name);
    return toFloat32(this.readBytes(name), info.dtype, `${this.path}: tensor "${name}"`);
  }

  /** Integer tensors (token ids) as plain numbers. */
  readInts(name: string): number[] {
    const info = this.info(name);
    const bytes = this.readBytes(name);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = elementCount(info.shape);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      switch (info.dtype) {
        case 'I64':
          out[i] = Number(view.getBigInt64(i * 8, true));
          break;
        case 'I32':
          out[i] = view.getInt32(i * 4, true);
          break;
        case 'I16':
          out[i] = view.getInt16(i * 2, true);
          break;
        case 'I8':
          out[i] = view.getInt8(i);
          break;
        case 'U8':
        case 'BOOL':
          out[i] = view.getUint8(i);
          break;
        default:
          throw new SafetensorsError(this.path, `tensor "${name}" is ${info.dtype}, expected an integer dtype`);
      }
    }
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }
}

function parseHeader(path: string, fd: number) {
  const fileSize = fstatSync(fd).size;
  if (fileSize < 8) throw new SafetensorsError(path, `file is ${fileSize} bytes: too short for a safetensors header`);
  const lenBuf = Buffer.alloc(8);
  readSync(fd, lenBuf, 0, 8, 0);
  const headerLen = Number(lenBuf.readBigUInt64LE(0));
  if (headerLen > MAX_HEADER_BYTES || 8 + headerLen > fileSize) {
    throw new SafetensorsError(path, `header length ${headerLen} does not fit in a file of ${fileSize} bytes (not safetensors, or truncated)`);
  }
  const headerBuf = Buffer.alloc(headerLen);
  readSync(fd, headerBuf, 0, headerLen, 8);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(headerBuf.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new SafetensorsError(path, 'header is not valid JSON (not safetensors, or corrupt)');
  }
  const dataStart = 8 + headerLen;
  const dataSize = fileSize - dataStart;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    tensors.set(name, checkEntry(path, name, raw, dataSize));
  }
  return { dataStart, tensors, metadata };
}

function checkEntry(path: string, name: string, raw: unknown, dataSize: number): TensorInfo {
  const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const dtype = entry?.dtype as Dtype;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
    throw new SafetensorsError(path, `tensor "${name}" has unknown dtype ${JSON.stringify(entry?.dtype)} (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`);
  }
  const shape = entry.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new SafetensorsError(path, `tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
  }
  const offsets = entry.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
    throw new SafetensorsError(path, `tensor "${name}" has invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const expectedBytes = elementCount(shape) * DTYPE_BYTES[dtype];
  if (end - begin !== expectedBytes) {
    throw new SafetensorsError(path, `tensor "${name}" (${dtype} ${JSON.stringify(shape)}) needs ${expectedBytes} bytes but its offsets span ${end - begin}`);
  }
  if (end > dataSize) {
    throw new SafetensorsError(path, `tensor "${name}" ends at byte ${end} but the data section has ${dataSize} bytes (file truncated)`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/** float16 → float32 (IEEE half, with subnormals, infinities and NaN). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

export function toFloat32(bytes: Uint8Array, dtype: Dtype, what: string): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(bytes.byteLength / 4);
      new Uint8Array(out.buffer).set(bytes);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(bytes.byteLength / 8);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(bytes.byteLength / 2);
      for (let i = 0; i < out.length; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32
      const out = new Float32Array(bytes.byteLength / 2);
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) u32[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
    default:
      throw new Error(`${what} is ${dtype}, expected a float dtype (F32, F16, BF16, F64)`);
  }
}

export interface TensorToWrite {
  dtype: 'F32' | 'I64' | 'I32' | 'U8';
  shape: number[];
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array;
}

/** Serialise tensors; the header is padded with spaces to a multiple of 8 as Python's writer does. */
export function encodeSafetensors(tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Buffer {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
    const bytes = t.data.byteLength;
    const expected = elementCount(t.shape) * DTYPE_BYTES[t.dtype];
    if (bytes !== expected) throw new Error(`tensor "${name}": ${bytes} bytes of data for ${t.dtype} ${JSON.stringify(t.shape)} (expected ${expected})`);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const d = tensors[name]!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    pos += d.byteLength;
  }
  return out;
}

/** Write a safetensors file atomically (temporary file, then rename). */
export function writeSafetensors(path: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
