// nanoVLM's AdamW update over the trainer's own Float32Arrays, as one WebAssembly SIMD pass: the
// ONNX Runtime engine's CPU optimiser. As graph operators the same update takes 13 passes over
// parameter-sized tensors, each allocating its output; here each element is read once (parameter,
// both moments, gradient) and written once (parameter, moments), four lanes at a time.
//
// The update, in the graph's order of float32 operations (adamw-graph.ts) so both give the same bits:
//   m ← m·β1 + g·gradScale;  v ← v·β2 + (g·g)·squareScale;  p ← p·decay − (m / (√v + eps))·stepSize
// The tensors are copied through a small scratch memory a chunk at a time (cache-sized): ONNX
// Runtime cannot read memory a WebAssembly instance owns, so the arrays stay the trainer's.
import { encodeModule, FunctionScope, pagesFor, wasm, type Code } from '../../util/wasm-module';
import type { GroupAdamwScalars } from './adamw-scalars';

/** The update's scalars for one group at one step, clipping folded in (adamwUpdateScalars). */
export interface AdamwUpdateScalars {
  beta1: number;
  beta2: number;
  /** (1 − β1) · clip */
  gradScale: number;
  /** (1 − β2) · clip² */
  squareScale: number;
  /** ε · √(1 − β2ᵗ) */
  eps: number;
  /** lr / (1 − β1ᵗ) · √(1 − β2ᵗ) */
  stepSize: number;
  /** 1 − lr · weight decay */
  decay: number;
}

export interface AdamwTensors {
  value: Float32Array;
  expAvg: Float32Array;
  expAvgSq: Float32Array;
  grad: Float32Array;
}

const f32 = Math.fround;

/**
 * The kernel's scalars, rounded to float32 in the same steps as the graph computes them, from the
 * clip factor c = min(1, maxNorm / (norm + 1e-6)) and the group's scalars of this step.
 */
export function adamwUpdateScalars(
  o: { beta1: number; beta2: number; eps: number },
  norm: number,
  maxNorm: number,
  group: GroupAdamwScalars,
): AdamwUpdateScalars {
  const clip = Math.min(1, f32(f32(maxNorm) / f32(f32(norm) + f32(1e-6))));
  const bias2Sqrt = f32(group.bias2Sqrt);
  return {
    beta1: f32(o.beta1),
    beta2: f32(o.beta2),
    gradScale: f32(clip * f32(1 - o.beta1)),
    squareScale: f32(f32(clip * clip) * f32(1 - o.beta2)),
    eps: f32(bias2Sqrt * f32(o.eps)),
    stepSize: f32(f32(group.stepSize) * bias2Sqrt),
    decay: f32(group.decay),
  };
}

/** Elements per chunk: four arrays of 64 KiB in scratch, within a core's L2 cache. */
const CHUNK = 16_384;
const LANE_BYTES = 16;
const ARRAYS = ['value', 'expAvg', 'expAvgSq', 'grad'] as const;

const PARAMS = {
  value: 'i32',
  expAvg: 'i32',
  expAvgSq: 'i32',
  grad: 'i32',
  byteLength: 'i32',
  beta1: 'f32',
  gradScale: 'f32',
  beta2: 'f32',
  squareScale: 'f32',
  eps: 'f32',
  stepSize: 'f32',
  decay: 'f32',
} as const;
const SCALARS = ['beta1', 'gradScale', 'beta2', 'squareScale', 'eps', 'stepSize', 'decay'] as const;
const vectorOf = (s: string): string => `${s}4`;
const LOCALS = { offset: 'i32', g: 'v128', m: 'v128', v: 'v128', ...Object.fromEntries(SCALARS.map((s) => [vectorOf(s), 'v128'])) } as const;

/** adamw(value, expAvg, expAvgSq, grad: addresses, byteLength, …scalars): updates in place. */
function adamwFunction() {
  const scope = new FunctionScope<string>(PARAMS, LOCALS);
  const { get, set } = scope;
  const { f32x4, v128, i32 } = wasm;
  const at = (array: (typeof ARRAYS)[number]): Code => i32.add(get(array), get('offset'));
  const s = (scalar: (typeof SCALARS)[number]): Code => get(vectorOf(scalar));
  const body: Code = [
    ...SCALARS.flatMap((scalar) => set(vectorOf(scalar), f32x4.splat(get(scalar)))),
    ...wasm.until(i32.geU(get('offset'), get('byteLength')), [
      ...set('g', v128.load(at('grad'))),
      ...set('m', f32x4.add(f32x4.mul(v128.load(at('expAvg')), s('beta1')), f32x4.mul(get('g'), s('gradScale')))),
      ...set('v', f32x4.add(f32x4.mul(v128.load(at('expAvgSq')), s('beta2')), f32x4.mul(f32x4.mul(get('g'), get('g')), s('squareScale')))),
      ...v128.store(at('expAvg'), get('m')),
      ...v128.store(at('expAvgSq'), get('v')),
      ...v128.store(
        at('value'),
        f32x4.sub(f32x4.mul(v128.load(at('value')), s('decay')), f32x4.mul(f32x4.div(get('m'), f32x4.add(f32x4.sqrt(get('v')), s('eps'))), s('stepSize'))),
      ),
      ...set('offset', i32.add(get('offset'), i32.const(LANE_BYTES))),
    ]),
  ];
  return { name: 'adamw', scope, body };
}

type AdamwExport = (value: number, expAvg: number, expAvgSq: number, grad: number, byteLength: number, ...scalars: number[]) => void;

let compiled: WebAssembly.Module | undefined;

/** One instance: its scratch memory and the compiled kernel. Not for use from two threads at once. */
export class AdamwKernel {
  private readonly scratch: Float32Array;
  private readonly run: AdamwExport;

  constructor() {
    compiled ??= new WebAssembly.Module(encodeModule(pagesFor(ARRAYS.length * CHUNK * 4), [adamwFunction()]));
    const instance = new WebAssembly.Instance(compiled, {});
    this.scratch = new Float32Array((instance.exports.memory as WebAssembly.Memory).buffer);
    this.run = instance.exports.adamw as AdamwExport;
  }

  /** One AdamW step of one parameter, in place (its value and both moments). */
  update(t: AdamwTensors, s: AdamwUpdateScalars): void {
    const n = t.value.length;
    for (const a of ARRAYS) if (t[a].length !== n) throw new Error(`AdamW: ${a} has ${t[a].length} elements, the parameter ${n}`);
    const scalars = SCALARS.map((k) => s[k]);
    const base = ARRAYS.map((_, i) => i * CHUNK);
    for (let start = 0; start < n; start += CHUNK) {
      const count = Math.min(CHUNK, n - start);
      ARRAYS.forEach((a, i) => this.scratch.set(t[a].subarray(start, start + count), base[i]));
      // the last lanes past `count` hold an earlier chunk's numbers: updated, never copied back
      this.run(base[0]! * 4, base[1]! * 4, base[2]! * 4, base[3]! * 4, Math.ceil(count / 4) * LANE_BYTES, ...scalars);
      for (let i = 0; i < 3; i++) t[ARRAYS[i]!].set(this.scratch.subarray(base[i]!, base[i]! + count), start);
    }
  }
}
