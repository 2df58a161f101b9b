// The machine's memory-copy bandwidth, measured now: `threads` workers each copy a buffer far larger
// than the caches, best of several rounds, counted the way STREAM's Copy counts (bytes read plus
// bytes written). Decoding one token reads every decoder weight once, so weights bytes per token ×
// tokens per second ÷ this figure is the share of the bandwidth ceiling a decoder reaches.
import { Worker } from 'node:worker_threads';

const BUFFER_MB = 64;
const ROUNDS = 5;

/** Bytes per second moved by `threads` concurrent large copies (read + write). */
export async function measureCopyBandwidth(threads: number): Promise<number> {
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true, workerData: { mb: BUFFER_MB, rounds: ROUNDS } }));
  try {
    const rates = await Promise.all(
      workers.map(
        (w) =>
          new Promise<number>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    return rates.reduce((a, b) => a + b, 0);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

// Plain JavaScript (eval'd): TypedArray.set of one Float64Array into another is a memmove.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const n = (workerData.mb * 1024 * 1024) / 8;
const from = new Float64Array(n).fill(1);
const to = new Float64Array(n);
to.set(from); // touch every page first
let best = 0;
for (let round = 0; round < workerData.rounds; round++) {
  const started = performance.now();
  for (let i = 0; i < 4; i++) to.set(from);
  const seconds = (performance.now() - started) / 1000;
  best = Math.max(best, (4 * 2 * from.byteLength) / seconds);
}
parentPort.postMessage(best);
`;
