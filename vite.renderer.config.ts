import { defineConfig } from 'vite';
import { rendererConfig } from './renderer.config.ts';

export default defineConfig(rendererConfig);
