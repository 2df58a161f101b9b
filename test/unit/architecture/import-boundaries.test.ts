// The layers' import boundaries (README, "Layout"), checked on every source file so that a wrong
// import fails here, naming the file, instead of at run time:
// - `electron` only in the thin shell and the preload: in plain Node (the core, the CLI, the tests)
//   importing it fails, since the binary cannot be fetched;
// - the model layer (nanoVLM itself) sits below the rest of the core and imports none of it;
// - the renderer reaches the core only through the contract in src/shared, never src/main;
// - src/shared belongs to no process: nothing from src/main, the preload or the renderer, and no
//   Node built-ins (the renderer runs it in the browser).
// Imports are read by TypeScript's own pre-processor (static, type-only, re-exports, dynamic
// import(), require) from .ts files and the <script> blocks of .svelte files.
import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface Import {
  /** the importing file, relative to the repository root */
  file: string;
  /** the specifier as written */
  specifier: string;
  /** for a relative specifier, the path it points at (relative to the root, no extension added) */
  target?: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|svelte)$/.test(entry.name) ? [path] : [];
  });
}

function scriptOf(path: string): string {
  const text = readFileSync(path, 'utf8');
  if (!path.endsWith('.svelte')) return text;
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
}

function importsOf(path: string): Import[] {
  const file = relative(ROOT, path);
  return ts.preProcessFile(scriptOf(path), true, true).importedFiles.map(({ fileName: specifier }) => ({
    file,
    specifier,
    target: specifier.startsWith('.') ? relative(ROOT, resolve(dirname(path), specifier)) : undefined,
  }));
}

const IMPORTS = sourceFiles(join(ROOT, 'src')).flatMap(importsOf);

const under = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`);
const fromFolder = (folder: string): Import[] => IMPORTS.filter((i) => under(i.file, folder));
const describeImport = (i: Import): string => `${i.file} imports '${i.specifier}'`;
const intoAny =
  (folders: readonly string[]) =>
  (i: Import): boolean =>
    i.target !== undefined && folders.some((f) => under(i.target!, f));

/** The folders of src/main the model layer may not reach: all but itself and util/. */
const ABOVE_MODEL = readdirSync(join(ROOT, 'src', 'main'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && !['model', 'util'].includes(e.name))
  .map((e) => `src/main/${e.name}`);

describe('import boundaries', () => {
  it('reads the imports of .ts and .svelte files (the checks below are not vacuous)', () => {
    expect(IMPORTS.length).toBeGreaterThan(500);
    expect(IMPORTS).toContainEqual({ file: 'src/preload/index.ts', specifier: 'electron', target: undefined });
    expect(IMPORTS.some((i) => i.file.endsWith('.svelte') && i.target?.startsWith('src/shared/'))).toBe(true);
    expect(ABOVE_MODEL).toEqual(expect.arrayContaining(['src/main/training', 'src/main/runtime', 'src/main/onnx', 'src/main/data', 'src/main/core']));
  });

  it('electron is imported only by the shell entry and the preload', () => {
    const shell = ['src/main/electron/main.ts', 'src/preload/index.ts'];
    const electron = IMPORTS.filter((i) => i.specifier === 'electron' || i.specifier.startsWith('electron/'));
    expect(electron.filter((i) => !shell.includes(i.file)).map(describeImport)).toEqual([]);
  });

  it('the model layer imports nothing from the layers above it (training, runtime, onnx, data, core, …)', () => {
    expect(fromFolder('src/main/model').filter(intoAny(ABOVE_MODEL)).map(describeImport)).toEqual([]);
  });

  it('the renderer never imports src/main or the preload', () => {
    expect(
      fromFolder('src/renderer')
        .filter(intoAny(['src/main', 'src/preload']))
        .map(describeImport),
    ).toEqual([]);
  });

  it('src/shared imports nothing from src/main, the preload or the renderer, and no Node built-ins', () => {
    const wrong = fromFolder('src/shared').filter((i) => intoAny(['src/main', 'src/preload', 'src/renderer'])(i) || isBuiltin(i.specifier));
    expect(wrong.map(describeImport)).toEqual([]);
  });
});
