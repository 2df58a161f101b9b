// Starts the studio's web door as its own process (as `npm run serve` does) on a free port with a
// temporary data folder, and reads the address it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from './temp-dir';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningStudio {
  process: ChildProcess;
  /** address with the token */
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  output: () => string;
  stop(): Promise<void>;
}

export interface StudioServerOptions {
  dataDir?: string;
  /** where the bundled demo is looked for (default: the repository's resources/) */
  resourcesDir?: string;
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

export async function startStudioServer(options: StudioServerOptions = {}): Promise<RunningStudio> {
  const temp = options.dataDir ? undefined : makeTempDir('studio-e2e-');
  const dataDir = options.dataDir ?? temp!.path;
  const resources = options.resourcesDir ? ['--resources-dir', options.resourcesDir] : [];
  const child = spawn(process.execPath, ['scripts/serve.mjs', '--no-build', '--port', '0', '--data-dir', dataDir, ...resources, ...(options.extraArgs ?? [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the studio did not start in 60 s:\n${output}`)), 60_000);
    const check = () => {
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the studio exited with code ${code}:\n${output}`));
    });
  });
  const parsed = new URL(url);
  return {
    process: child,
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token')!,
    dataDir,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      temp?.remove();
    },
  };
}
