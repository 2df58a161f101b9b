#!/usr/bin/env node
// The `nanovlm` command line: runs the TypeScript core directly through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
