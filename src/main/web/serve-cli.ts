// `npm run serve` / the browser fallback of `npm start`: host the core behind the web door and
// print the address with its token. A chosen token comes from a file or the environment, never
// the command line (which every user of the machine can read in `ps`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createStudioCore } from '../core/studio-core';
import { defaultDataFolder } from '../data/data-folder';
import { isLoopbackHost } from './host-check';
import { startWebDoor } from './server';
import { newToken, TOKEN_PATTERN } from './token';

export const RENDERER_DIR = fileURLToPath(new URL('../../../out/renderer', import.meta.url));

const USAGE = `Usage: npm run serve -- [--host 127.0.0.1] [--port 5180] [--token-file FILE] [--data-dir DIR] [--resources-dir DIR]
                        [--allowed-host NAME]...
Serves nanoVLM Studio to a browser. The data folder is --data-dir, else $NANOVLM_STUDIO_HOME, else
the platform's data folder. The access token is read from --token-file, else $NANOVLM_STUDIO_TOKEN,
else a random one is made; every request must carry it.
--host other than 127.0.0.1 serves plain HTTP to the network (prefer an SSH tunnel); requests must
then name this machine (its addresses, its host name, or an --allowed-host) in their Host header.
--resources-dir is where the bundled demo model and dataset are found (default: resources/).`;

const TOKEN_ON_COMMAND_LINE =
  '--token is not accepted: a command line is visible to every user of the machine (ps). Put the token in a file (--token-file FILE) or in $NANOVLM_STUDIO_TOKEN';

function wideBindWarning(host: string, port: number): string {
  return `WARNING: serving on ${host} over plain HTTP. Anyone who can watch this network sees the token and your data.
Prefer the default (127.0.0.1) and an SSH tunnel: ssh -L ${port}:127.0.0.1:${port} <this machine>.`;
}

/** The token: --token-file, else $NANOVLM_STUDIO_TOKEN, else a new random one. */
function chosenToken(file: string | undefined, env: NodeJS.ProcessEnv): string {
  if (file) return readFileSync(file, 'utf8').trim();
  return env.NANOVLM_STUDIO_TOKEN?.trim() || newToken();
}

export async function serve(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        'data-dir': { type: 'string' },
        'resources-dir': { type: 'string' },
        'allowed-host': { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`serve: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) return (console.log(USAGE), 0);
  const port = values.port === undefined ? 5180 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`--port must be a whole number from 0 to 65535, got "${String(values.port)}"`);
  if (values.token !== undefined) return fail(TOKEN_ON_COMMAND_LINE);
  let token: string;
  try {
    token = chosenToken(values['token-file'] as string | undefined, process.env);
  } catch (err) {
    return fail(`--token-file: ${(err as Error).message}`);
  }
  if (!TOKEN_PATTERN.test(token)) return fail('the token must be 16 to 128 characters of A-Z, a-z, 0-9, "-" or "_"');
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
    door = await startWebDoor({ core, token, rendererDir: RENDERER_DIR, host, port, allowedHosts: values['allowed-host'] as string[] | undefined });
  } catch (err) {
    core.close();
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    return fail(inUse ? `port ${port} on ${host} is in use; choose another with --port` : (err as Error).message);
  }
  if (!isLoopbackHost(host)) console.error(wideBindWarning(host, Number(new URL(door.origin).port)));
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
