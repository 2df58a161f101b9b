// npm run serve -- [--host H] [--port P] [--token-file FILE] [--data-dir DIR] [--no-build]
import { register } from 'tsx/esm/api';
import { buildRenderer } from './build-renderer.mjs';

const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
if (!noBuild && !args.includes('--help')) buildRenderer();
register();
const { serve } = await import('../src/main/web/serve-cli.ts');
const code = await serve(args.filter((a) => a !== '--no-build'));
if (code !== 0) process.exit(code);
