// A checkpoint's content hash (sha256 of config.json and model.safetensors), the key of its cached
// ONNX exports. Remembered per file size and modification time so a large checkpoint is read once
// per process.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';

const remembered = new Map<string, string>();

export async function checkpointHash(dir: string): Promise<string> {
  const files = ['config.json', 'model.safetensors'].map((f) => join(dir, f));
  const stamp = files
    .map((f) => {
      const s = statSync(f);
      return `${f}:${s.size}:${s.mtimeMs}`;
    })
    .join('|');
  const known = remembered.get(stamp);
  if (known) return known;
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file.endsWith('config.json') ? 'config' : 'weights'}\0`);
    for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
  }
  const digest = hash.digest('hex');
  remembered.set(stamp, digest);
  return digest;
}
