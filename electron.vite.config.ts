import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';
import { rendererConfig } from './renderer.config.ts';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // the worker threads (ONNX exports, database checks, the models' sessions) and the trainer subprocess are entries of
        // their own, emitted beside index.js where the core looks for them
        input: {
          index: resolve(import.meta.dirname, 'src/main/electron/main.ts'),
          'export-worker': resolve(import.meta.dirname, 'src/main/onnx/export-worker.ts'),
          'trainer-process': resolve(import.meta.dirname, 'src/main/training/process/trainer-process.ts'),
          'database-check-worker': resolve(import.meta.dirname, 'src/main/data/database-check-worker.ts'),
          'inference-thread': resolve(import.meta.dirname, 'src/main/runtime/inference-thread.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        // a sandboxed preload must be one CommonJS file
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    ...rendererConfig,
    build: { ...rendererConfig.build, rollupOptions: { input: resolve(import.meta.dirname, 'src/renderer/index.html') } },
  },
});
