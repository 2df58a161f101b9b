// The `nanovlm` entry: finds the command among the files of ./commands (each exports `command`),
// parses its options and runs it. Errors are printed in one line, never as a stack trace, unless
// NANOVLM_DEBUG is set.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandArgs, UsageError, type CliCommand, type CliIO } from './command';
import { maxOf } from '../../shared/array-utils';

async function loadCommands(): Promise<CliCommand[]> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = readdirSync(dir)
    .filter((f) => /\.ts$/.test(f) && !f.endsWith('.test.ts'))
    .sort();
  const modules = await Promise.all(files.map((f) => import(join(dir, f)) as Promise<{ command: CliCommand }>));
  return modules.map((m) => m.command).sort((a, b) => a.name.localeCompare(b.name));
}

function helpText(commands: CliCommand[]): string {
  const width = maxOf(commands.map((c) => c.name.length));
  return [
    'nanovlm: the nanoVLM Studio command line',
    '',
    'Usage: nanovlm <command> [options]   (nanovlm <command> --help for its options)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[], io?: Partial<CliIO>): Promise<number> {
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('cancelled (Ctrl-C)'));
  process.once('SIGINT', onSigint);
  const cli: CliIO = {
    out: io?.out ?? ((t) => process.stdout.write(t)),
    err: io?.err ?? ((t) => process.stderr.write(t)),
    signal: io?.signal ?? controller.signal,
  };
  try {
    const commands = await loadCommands();
    // Two-word commands ("dataset import") take precedence over one-word ones.
    const cmd = commands.find((c) => c.name === argv.slice(0, 2).join(' ')) ?? commands.find((c) => c.name === argv[0]);
    if (!cmd) {
      const asked = argv[0] && !argv[0].startsWith('-') ? `unknown command "${argv[0]}"\n\n` : '';
      (asked ? cli.err : cli.out)(`${asked}${helpText(commands)}\n`);
      return asked ? 2 : 0;
    }
    const rest = argv.slice(cmd.name.split(' ').length);
    if (rest.includes('--help') || rest.includes('-h')) {
      cli.out(`${cmd.usage}\n`);
      return 0;
    }
    return await cmd.run(parseCommandArgs(cmd, rest), cli);
  } catch (err) {
    if (err instanceof UsageError) {
      cli.err(`nanovlm: ${err.message} (see --help)\n`);
      return 2;
    }
    cli.err(`nanovlm: ${(err as Error).message}\n`);
    if (process.env.NANOVLM_DEBUG) cli.err(`${(err as Error).stack}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
