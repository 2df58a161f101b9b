// `npm run serve` / the browser fallback of `npm start`: host the core behind the web door and
// print the address with its token.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createStudioCore } from '../core/studio-core';
import { defaultDataFolder } from '../data/data-folder';
import { startWebDoor } from './server';
import { newToken, TOKEN_PATTERN } from './token';

export const RENDERER_DIR = fileURLToPath(new URL('../../../out/renderer', import.meta.url));

const USAGE = `Usage: npm run serve -- [--host 127.0.0.1] [--port 5180] [--token TOKEN] [--data-dir DIR] [--resources-dir DIR]
Serves nanoVLM Studio to a browser. The data folder is --data-dir, else $NANOVLM_STUDIO_HOME, else
the platform's data folder. Without --token a random one is made; every request must carry it.
--resources-dir is where the bundled demo model and dataset are found (default: resources/).`;

export async function serve(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { host: { type: 'string' }, port: { type: 'string' }, token: { type: 'string' }, 'data-dir': { type: 'string' }, 'resources-dir': { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`serve: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) return console.log(USAGE), 0;
  const port = values.port === undefined ? 5180 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`--port must be a whole number from 0 to 65535, got "${String(values.port)}"`);
  const token = (values.token as string | undefined) ?? newToken();
  if (!TOKEN_PATTERN.test(token)) return fail('--token must be 16 to 128 characters of A-Z, a-z, 0-9, "-" or "_"');
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) return fail(`the renderer is not built (${RENDERER_DIR}); run "npm run build:renderer" first`);
  const dataDir = (values['data-dir'] as string | undefined) ?? defaultDataFolder();
  let core;
  try {
    const resourcesDir = values['resources-dir'] as string | undefined;
    core = createStudioCore({ dataDir, door: 'web', ...(resourcesDir ? { resourcesDir } : {}) });
  } catch (err) {
    return fail((err as Error).message);
  }
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  let door;
  try {
    door = await startWebDoor({ core, token, rendererDir: RENDERER_DIR, host, port });
  } catch (err) {
    core.close();
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    return fail(inUse ? `port ${port} on ${host} is in use; choose another with --port` : (err as Error).message);
  }
  console.log(`nanoVLM Studio is running at ${door.url}`);
  console.log(`Data folder: ${dataDir}. Press Ctrl-C to stop.`);
  const stop = async () => {
    await door.close();
    core.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 0;
}

function fail(message: string): number {
  console.error(`nanoVLM Studio: ${message}`);
  return 1;
}
