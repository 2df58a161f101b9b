// A minimal WebAssembly encoder: a module that imports its memory (env.memory, so the caller
// chooses its size and keeps its buffer) and exports functions over i32, f32 and v128 (SIMD)
// values, written as expressions in TypeScript. Enough for the studio's few numeric kernels
// (training/optimizer/adamw-kernel.ts), with no toolchain and no binary in the repository.
// Encoding: https://webassembly.github.io/spec/core/binary/ (sections 1 type, 2 import,
// 3 function, 7 export, 10 code; SIMD instructions are 0xfd followed by their number in LEB128).

export type ValueType = 'i32' | 'f32' | 'v128';
/** Bytes of code that leave their values on the stack. */
export type Code = number[];

const VALUE_TYPE: Record<ValueType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };
const FUNCTION_TYPE = 0x60;
const EXTERNAL_KIND = { function: 0x00, memory: 0x02 } as const;
/** Memory limits with a minimum only (0 pages: any memory will do). */
const ANY_SIZE = [0x00, 0];

/** Unsigned LEB128. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}
/** Signed LEB128 (i32.const's immediate). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}
const vector = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const bytes = (b: number[]): number[] => [...leb(b.length), ...b];
const name = (s: string): number[] => bytes([...new TextEncoder().encode(s)]);
const section = (id: number, content: number[]): number[] => [id, ...bytes(content)];
const simd = (opcode: number): Code => [0xfd, ...leb(opcode)];
/** v128.load/store's memory argument: 16-byte alignment (2⁴), no offset. */
const ALIGN_16 = [4, 0];

/** Instructions, each taking its operands' code first (stack order). */
export const wasm = {
  i32: {
    const: (n: number): Code => [0x41, ...sleb(n)],
    add: (a: Code, b: Code): Code => [...a, ...b, 0x6a],
    geU: (a: Code, b: Code): Code => [...a, ...b, 0x4f],
  },
  v128: {
    load: (address: Code): Code => [...address, ...simd(0x00), ...ALIGN_16],
    store: (address: Code, value: Code): Code => [...address, ...value, ...simd(0x0b), ...ALIGN_16],
  },
  f32x4: {
    splat: (x: Code): Code => [...x, ...simd(0x13)],
    sqrt: (a: Code): Code => [...a, ...simd(0xe3)],
    add: (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe4)],
    sub: (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe5)],
    mul: (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe6)],
    div: (a: Code, b: Code): Code => [...a, ...b, ...simd(0xe7)],
  },
  /** `body` runs while `condition` is false (a loop in a block, tested at the top). */
  until: (condition: Code, body: Code): Code => [0x02, 0x40, 0x03, 0x40, ...condition, 0x0d, 1, ...body, 0x0c, 0, 0x0b, 0x0b],
};

/** A function's parameters and locals by name; `get`/`set` address them. */
export class FunctionScope<Names extends string> {
  private readonly index = new Map<string, number>();
  constructor(
    readonly params: Readonly<Record<string, ValueType>>,
    readonly locals: Readonly<Record<string, ValueType>>,
  ) {
    for (const n of [...Object.keys(params), ...Object.keys(locals)]) this.index.set(n, this.index.size);
  }
  private at(n: Names): number {
    const i = this.index.get(n);
    if (i === undefined) throw new Error(`no parameter or local named ${n}`);
    return i;
  }
  get = (n: Names): Code => [0x20, ...leb(this.at(n))];
  set = (n: Names, value: Code): Code => [...value, 0x21, ...leb(this.at(n))];
}

export interface WasmFunction {
  name: string;
  scope: FunctionScope<string>;
  body: Code;
}

/** A module that imports a memory as env.memory and exports `functions` (no results). */
export function encodeModule(functions: readonly WasmFunction[]): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [FUNCTION_TYPE, ...vector(Object.values(f.scope.params).map((t) => [VALUE_TYPE[t]])), ...vector([])]);
  const bodies = functions.map((f) => {
    // each local declared on its own (count 1, type): simple, and these functions have few
    const locals = vector(Object.values(f.scope.locals).map((t) => [1, VALUE_TYPE[t]]));
    return bytes([...locals, ...f.body, 0x0b]);
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector([[...name('env'), ...name('memory'), EXTERNAL_KIND.memory, ...ANY_SIZE]])),
    ...section(3, vector(functions.map((_, i) => leb(i)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.name), EXTERNAL_KIND.function, ...leb(i)]))),
    ...section(10, vector(bodies)),
  ]);
}
