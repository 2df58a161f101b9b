// Finds damage in a WAL file that SQLite would not report. SQLite reads the log up to its first
// frame whose checksum fails and silently drops everything after it: right for a write cut short
// by a crash (only the last, uncommitted frames can be torn), wrong for a log damaged afterwards,
// where committed transactions vanish without a word. A frame that fails followed by one that
// checks out (same salts, its checksum chained from the stored one before it) can only be
// damage. The last frame of a log cannot be told apart from a torn write, and is left to SQLite.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;
const MAGIC_LITTLE_ENDIAN = 0x377f0682;
const MAGIC_BIG_ENDIAN = 0x377f0683;

export interface WalCheck {
  /** frames of the current generation that check out */
  goodFrames: number;
  /** the first damaged frame (0-based) and why, when the log is damaged */
  damage?: { frame: number; offset: number; reason: string };
}

type Checksum = [number, number];

/** SQLite's WAL checksum: Fibonacci-weighted sums of 32-bit words, chained from `seed`. */
function checksum(bigEndian: boolean, seed: Checksum, ...parts: Buffer[]): Checksum {
  let [s0, s1] = seed;
  for (const bytes of parts) {
    for (let i = 0; i < bytes.length; i += 8) {
      const x0 = bigEndian ? bytes.readUInt32BE(i) : bytes.readUInt32LE(i);
      const x1 = bigEndian ? bytes.readUInt32BE(i + 4) : bytes.readUInt32LE(i + 4);
      s0 = (s0 + x0 + s1) >>> 0;
      s1 = (s1 + x1 + s0) >>> 0;
    }
  }
  return [s0, s1];
}

const stored = (bytes: Buffer, at: number): Checksum => [bytes.readUInt32BE(at), bytes.readUInt32BE(at + 4)];
const same = (a: Checksum, b: Checksum) => a[0] === b[0] && a[1] === b[1];

export function checkWal(path: string): WalCheck {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return { goodFrames: 0 };
  }
  if (size < WAL_HEADER_BYTES) return { goodFrames: 0 };
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(WAL_HEADER_BYTES);
    readSync(fd, header, 0, WAL_HEADER_BYTES, 0);
    const magic = header.readUInt32BE(0);
    const pageSize = header.readUInt32BE(8);
    const frameBytes = FRAME_HEADER_BYTES + pageSize;
    const hasFrames = size >= WAL_HEADER_BYTES + FRAME_HEADER_BYTES;
    if (magic !== MAGIC_LITTLE_ENDIAN && magic !== MAGIC_BIG_ENDIAN) {
      return header.every((b) => b === 0) || !hasFrames
        ? { goodFrames: 0 }
        : { goodFrames: 0, damage: { frame: -1, offset: 0, reason: 'the log header is not a WAL header' } };
    }
    const bigEndian = magic === MAGIC_BIG_ENDIAN;
    const validPageSize = pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0;
    if (!validPageSize || !same(checksum(bigEndian, [0, 0], header.subarray(0, 24)), stored(header, 24))) {
      return hasFrames ? { goodFrames: 0, damage: { frame: -1, offset: 0, reason: 'the log header fails its checksum' } } : { goodFrames: 0 };
    }
    const salt1 = header.readUInt32BE(16);
    const salt2 = header.readUInt32BE(20);
    const frame = Buffer.alloc(frameBytes);
    let seed = stored(header, 24);
    let firstBad: number | undefined;
    let goodFrames = 0;
    const count = Math.floor((size - WAL_HEADER_BYTES) / frameBytes);
    for (let i = 0; i < count; i++) {
      const offset = WAL_HEADER_BYTES + i * frameBytes;
      readSync(fd, frame, 0, frameBytes, offset);
      const saltsMatch = frame.readUInt32BE(8) === salt1 && frame.readUInt32BE(12) === salt2;
      const good =
        saltsMatch &&
        frame.readUInt32BE(0) !== 0 &&
        same(checksum(bigEndian, seed, frame.subarray(0, 8), frame.subarray(FRAME_HEADER_BYTES)), stored(frame, 16));
      seed = stored(frame, 16);
      if (good && firstBad !== undefined) {
        const badOffset = WAL_HEADER_BYTES + firstBad * frameBytes;
        return {
          goodFrames,
          damage: {
            frame: firstBad,
            offset: badOffset,
            reason: `frame ${firstBad + 1} (at byte ${badOffset}) fails its checksum but frames after it are intact`,
          },
        };
      }
      if (good && firstBad === undefined) goodFrames++;
      if (!good && firstBad === undefined) firstBad = i;
    }
    return { goodFrames };
  } finally {
    closeSync(fd);
  }
}
