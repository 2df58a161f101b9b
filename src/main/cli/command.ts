// One CLI command: its name (possibly two words, like "dataset import"), a one-line summary,
// its usage text and a run function returning the exit code.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  /** aborted on Ctrl-C */
  signal: AbortSignal;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseCommandArgs(cmd: CliCommand, argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: cmd.options, allowPositionals: cmd.allowPositionals ?? false, strict: true });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A required string option, or a usage error naming it. */
export function requireString(args: ParsedArgs, name: string): string {
  const v = args.values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** An optional numeric option, checked. */
export function numberOption(args: ParsedArgs, name: string, check: (n: number) => boolean = Number.isFinite): number | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !check(n)) throw new UsageError(`--${name}: invalid number "${String(v)}"`);
  return n;
}
