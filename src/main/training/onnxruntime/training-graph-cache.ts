// A cache of the trainer's graphs as ONNX Runtime optimised them: <cacheDir>/<key>.onnx, where the
// key hashes the graph's bytes, the runtime's version and the CPU. Building a 222M step graph takes
// under a second, but optimising it takes most of a session's creation (measured on the AVX-512
// Xeon: 7.5 s from the graph, 2.2 s from its optimised file), and every run, resume and length
// bucket makes the same graphs again. The optimised file holds kernels chosen for this CPU (ONNX
// Runtime says so when it writes one), hence the CPU in the key. CPU provider only; a file that
// does not load is removed and the graph is optimised afresh.
import type * as ort from 'onnxruntime-node';
import { env } from 'onnxruntime-node';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { createSession, type SessionSettings } from '../../runtime/onnx-session';

export const TRAINING_GRAPH_CACHE = 'training-graphs';
/** graphs unused this long are removed when another is written (about 2 MB each at 222M) */
const KEEP_UNUSED_MS = 30 * 24 * 3600 * 1000;

/** The file an optimised graph is kept in: the same graph, runtime, settings and CPU give the same key. */
export function optimizedGraphFile(cacheDir: string, graph: Uint8Array, settings: SessionSettings): string {
  const hash = createHash('sha256');
  hash.update(graph);
  hash.update(JSON.stringify({ ort: env.versions, cpu: cpus()[0]?.model ?? '', arch: process.arch, flushDenormals: settings.flushDenormals === true }));
  return join(cacheDir, `${hash.digest('hex').slice(0, 32)}.onnx`);
}

/** A session for `graph`, from its optimised file when one is cached (written on first use). */
export async function cachedSession(graph: Uint8Array, settings: SessionSettings, name: string, cacheDir: string | undefined): Promise<ort.InferenceSession> {
  if (!cacheDir || settings.provider !== 'cpu') return createSession(graph, settings, name);
  const file = optimizedGraphFile(cacheDir, graph, settings);
  if (existsSync(file)) {
    try {
      const session = await createSession(file, { ...settings, alreadyOptimized: true }, name);
      const now = new Date();
      utimesSync(file, now, now); // used: kept by the pruning below
      return session;
    } catch {
      rmSync(file, { force: true }); // damaged or from a runtime that reads it differently: make it again
    }
  }
  mkdirSync(cacheDir, { recursive: true });
  const staging = `${file}.${randomBytes(4).toString('hex')}.partial`;
  try {
    const session = await createSession(graph, { ...settings, saveOptimizedAs: staging }, name);
    if (existsSync(staging)) renameSync(staging, file);
    pruneUnused(cacheDir);
    return session;
  } finally {
    rmSync(staging, { force: true });
  }
}

function pruneUnused(cacheDir: string): void {
  const before = Date.now() - KEEP_UNUSED_MS;
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    try {
      if (statSync(path).mtimeMs < before) rmSync(path, { force: true });
    } catch {
      // removed meanwhile by another run
    }
  }
}
