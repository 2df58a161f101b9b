// `npm run check:gpu -- --pack DIR`: the GPU check as a folder that runs on a bare GPU machine (no
// Node, no npm, no network; only a small folder can be brought along), at most 60 MB:
//   run.sh          the one command: unpacks into a temporary folder and runs the check there
//   node.gz         this Node binary (gzip: the one decompressor every Linux has)
//   unpack.mjs      run by that Node: brotli-decompresses the payload listed in manifest.json
//   payload/*.br    the check bundled (esbuild), onnxruntime-node's binding and library for
//                   linux-x64 (the WebGPU provider is inside), the golden fixtures, and
//                   Debian's Vulkan loader (plus glvnd's dispatch libraries that NVIDIA's Vulkan
//                   driver links against), each compressed
// The bench rows' weights are generated there from a seed, not carried. Linux x64 only: the Node
// binary and the libraries are this machine's.
import { build, type Plugin } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { FAMILIES } from '../../test/helpers/golden-fixtures';
import { FIXTURES_DIR } from '../../test/helpers/fixture-paths';

export const PACK_LIMIT_BYTES = 60e6;

/** Packages the check must not load (native modules of the studio it never reaches, the Electron shell). */
const NEVER_LOADED = ['sharp', 'better-sqlite3', '@tensorflow/*', 'electron', 'playwright-core', '@duckdb/*', 'esbuild'];
const FIXTURE_FILES = ['config.json', 'model.safetensors', 'expected.safetensors', 'case.json'];
/** The Vulkan loader and, where installed, glvnd's libraries (NVIDIA's Vulkan driver links them). */
const SYSTEM_LIBRARIES = ['libvulkan.so.1', 'libGLdispatch.so.0', 'libGLX.so.0', 'libEGL.so.1'];
const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib'];

export interface PackOptions {
  /** quicker, larger compression (tests) */
  fast?: boolean;
}

export interface PackedFile {
  /** where unpack.mjs writes it, relative to the unpacked folder */
  path: string;
  bytes: number;
  mode: number;
}

/** Writes the folder; returns its size in bytes. Refuses a non-empty folder and anything but linux-x64. */
export async function packGpuCheck(outDir: string, options: PackOptions, say: (line: string) => void): Promise<number> {
  if (!outDir) throw new Error('--pack needs a folder: npm run check:gpu -- --pack DIR');
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(`--pack packs this machine's Node and libraries for linux-x64; this is ${process.platform}-${process.arch}`);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new Error(`${outDir}: not empty; the pack goes into a new or empty folder`);
  try {
    return await writePack(outDir, options, say);
  } catch (err) {
    // the folder was new or empty: leave it so, not half-packed
    for (const entry of readdirSync(outDir)) rmSync(join(outDir, entry), { recursive: true, force: true });
    throw err;
  }
}

async function writePack(outDir: string, options: PackOptions, say: (line: string) => void): Promise<number> {
  mkdirSync(join(outDir, 'payload'), { recursive: true });
  const here = import.meta.dirname;
  const files: [from: string | Buffer, to: string][] = [
    ...(await bundleCheck(here)),
    ...runtimeBinaries(),
    ...FAMILIES.flatMap((family) => FIXTURE_FILES.map((f) => [join(FIXTURES_DIR, family, f), `fixtures/${family}/${f}`] as [string, string])),
    ...systemLibraries(say),
  ];
  const manifest: PackedFile[] = [];
  for (const [from, to] of files) {
    const data = typeof from === 'string' ? readFileSync(from) : from;
    const quality = options.fast ? 4 : 7;
    const params = { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: data.length };
    writeFileSync(join(outDir, 'payload', `${manifest.length}.br`), brotliCompressSync(data, { params }));
    manifest.push({ path: to, bytes: data.length, mode: typeof from === 'string' ? statSync(from).mode & 0o777 : 0o644 });
  }
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  say(`node ${process.version}: compressing ${process.execPath}…`);
  writeFileSync(join(outDir, 'node.gz'), gzipSync(readFileSync(process.execPath), { level: options.fast ? 6 : 9 }));
  for (const script of ['run.sh', 'unpack.mjs']) copyFileSync(join(here, 'packed', script), join(outDir, script));
  writeFileSync(join(outDir, 'README.txt'), readme());
  const total = folderBytes(outDir);
  say(`${outDir}: ${(total / 1e6).toFixed(1)} MB in ${manifest.length + 5} files; run it there with: sh ${basename(outDir)}/run.sh [--software] [--json]`);
  if (total > PACK_LIMIT_BYTES)
    throw new Error(`the pack came to ${(total / 1e6).toFixed(1)} MB, over its ${PACK_LIMIT_BYTES / 1e6} MB limit; nothing was left in ${outDir}`);
  return total;
}

/**
 * bench/gpu-check/check.ts and everything it imports as ES modules (check/check-gpu.mjs and its
 * chunks), onnxruntime-node's JavaScript included. Split into chunks so that what the studio loads
 * lazily (the TensorFlow.js engines) stays lazy and is never asked for.
 */
async function bundleCheck(here: string): Promise<[Buffer, string][]> {
  const result = await build({
    entryPoints: { 'check-gpu': join(here, 'packed', 'check-gpu.ts') },
    outdir: join(here, 'check'),
    splitting: true,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    external: NEVER_LOADED,
    plugins: [bindingAtRunTime],
    // CommonJS dependencies inside an ES module bundle need require
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  return result.outputFiles.map((f) => [Buffer.from(f.contents), `check/${basename(f.path)}`]);
}

/**
 * onnxruntime-node requires its binding by a template path, which esbuild would try to bundle for
 * every platform; made opaque here, it stays a require at run time, relative to the chunk in check/.
 */
const bindingAtRunTime: Plugin = {
  name: 'onnxruntime-binding-at-run-time',
  setup(b) {
    b.onLoad({ filter: /onnxruntime-node[\\/]dist[\\/]binding\.js$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      const opaque = source.replace(/require\((`\.\.\/bin\/napi-v6\/[^`]+`)\)/, 'require([$1][0])');
      if (opaque === source) throw new Error(`${path}: onnxruntime-node no longer loads its binding as the pack expects`);
      return { contents: opaque, loader: 'js' };
    });
  },
};

/**
 * onnxruntime-node's binding and library for linux-x64, where its bundled JavaScript looks for
 * them: bin/napi-v6/linux/x64/ beside the check/ folder (its require is relative to the module).
 */
function runtimeBinaries(): [string, string][] {
  const binaries = join(packageRoot(createRequire(import.meta.url).resolve('onnxruntime-node')), 'bin', 'napi-v6', 'linux', 'x64');
  return readdirSync(binaries)
    .filter((name) => !name.includes('providers_cuda'))
    .map((name) => [join(binaries, name), `bin/napi-v6/linux/x64/${name}`]);
}

/** The folder of the package.json above a package's entry file (their exports hide package.json itself). */
function packageRoot(entry: string): string {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return dir;
  throw new Error(`${entry}: no package.json above it`);
}

/** Debian's libraries the WebGPU provider needs at run time, as lib/…; a missing one is said, not fatal. */
function systemLibraries(say: (line: string) => void): [string, string][] {
  const found: [string, string][] = [];
  for (const name of SYSTEM_LIBRARIES) {
    const dir = LIBRARY_DIRS.find((d) => existsSync(join(d, name)));
    if (dir) found.push([realpathSync(join(dir, name)), `lib/${name}`]);
    else say(`not packed: ${name} (not installed here${name === 'libvulkan.so.1' ? ': apt-get install libvulkan1' : ''}); the GPU machine must have its own`);
  }
  return found;
}

function folderBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0);
}

function readme(): string {
  return [
    "nanoVLM Studio's GPU check, packed to run on a machine without Node, npm or network (linux-x64).",
    '',
    '  sh run.sh                 parity and bench rows on every GPU provider there (webgpu, cuda)',
    '  sh run.sh --software      also on a software Vulkan adapter (lavapipe), if that is all there is',
    '  sh run.sh --json          the report as JSON on stdout (progress on stderr)',
    "  sh run.sh --parity-only   parity with nanoVLM's golden outputs, no bench rows",
    '',
    'It unpacks into a temporary folder ($TMPDIR or /tmp, removed afterwards) and needs only sh, gzip',
    "and the GPU's driver. Exit status: 0 passed, 1 a check failed, 2 no GPU provider found.",
    '',
  ].join('\n');
}
