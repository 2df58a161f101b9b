// Run by the packed Node binary (run.sh): writes every file of manifest.json, brotli-decompressed
// from payload/N.br, into the folder given, with its mode. Plain JavaScript: nothing else exists yet.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

const [packDir, outDir] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(join(packDir, 'manifest.json'), 'utf8'));
manifest.forEach((file, i) => {
  const data = brotliDecompressSync(readFileSync(join(packDir, 'payload', `${i}.br`)));
  if (data.length !== file.bytes) throw new Error(`payload/${i}.br: ${data.length} bytes unpacked, ${file.bytes} expected for ${file.path} (a damaged pack)`);
  const to = join(outDir, file.path);
  mkdirSync(dirname(to), { recursive: true });
  writeFileSync(to, data, { mode: file.mode });
});
