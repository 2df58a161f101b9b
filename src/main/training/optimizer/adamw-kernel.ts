// nanoVLM's AdamW update as one WebAssembly SIMD pass over each trained tensor: the ONNX Runtime
// engine's CPU optimiser. As graph operators the same update takes 13 passes over parameter-sized
// tensors, each allocating its output; here each element is read once (parameter, both moments,
// gradient) and written once (parameter, moments), four lanes at a time.
//
// The update, in the graph's order of float32 operations (adamw-graph.ts) so both give the same bits:
//   m ← m·β1 + g·gradScale;  v ← v·β2 + (g·g)·squareScale;  p ← p·decay − (m / (√v + eps))·stepSize
// The kernel works in place on its own memory, so the trained tensors live there (AdamwMemory): a
// WebAssembly memory's buffer is a plain ArrayBuffer, which ONNX Runtime takes as tensor data and
// writes preallocated outputs (the gradients) into. Copying through a small scratch memory instead
// took 1.8× as long.
import { encodeModule, FunctionScope, wasm, type Code } from '../../util/wasm-module';
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

const LANE_BYTES = 16;
const LANES = 4;
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

const PAGE_BYTES = 65_536;
/** Tensors share a memory up to this size; a larger tensor gets one of its own. */
const SHARED_MEMORY_BYTES = 2 ** 30;
/** The most a WebAssembly (wasm32) memory holds. */
const MAX_MEMORY_BYTES = 2 ** 32;

let compiled: WebAssembly.Module | undefined;

/** A memory of at least `bytes`; out of memory, an error that says how much was asked for. */
function allocate(bytes: number): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE_BYTES) });
  } catch (err) {
    throw new Error(
      `AdamW: could not allocate ${(bytes / 2 ** 30).toFixed(2)} GiB for the trained parameters, their moments and gradients (${(err as Error).message})`,
    );
  }
}

interface Placement {
  memory: number;
  /** byte address of each array, in ARRAYS order */
  addresses: number[];
  length: number;
}

/**
 * The trained tensors' values, both moments and gradients in WebAssembly memories (one memory per
 * gigabyte or so, each with its own instance of the kernel), where AdamW updates them in place.
 * Each array is padded to whole lanes, so the kernel's last lanes touch only the array's own padding.
 */
export class AdamwMemory {
  private readonly placements = new Map<string, Placement>();
  private readonly kernels: AdamwExport[] = [];
  private readonly buffers: ArrayBuffer[] = [];

  /** `tensors`: name → element count. */
  constructor(tensors: ReadonlyMap<string, number>) {
    compiled ??= new WebAssembly.Module(encodeModule([adamwFunction()]));
    const memories: { bytes: number }[] = [];
    for (const [name, length] of tensors) {
      const bytes = ARRAYS.length * Math.ceil(length / LANES) * LANE_BYTES;
      if (bytes > MAX_MEMORY_BYTES)
        throw new Error(
          `AdamW: ${name} has ${length} elements; its value, moments and gradient exceed a WebAssembly memory's ${MAX_MEMORY_BYTES / 2 ** 30} GiB`,
        );
      let target = memories.find((m) => m.bytes + bytes <= SHARED_MEMORY_BYTES);
      if (!target) memories.push((target = { bytes: 0 }));
      const arrayBytes = bytes / ARRAYS.length;
      this.placements.set(name, { memory: memories.indexOf(target), addresses: ARRAYS.map((_, i) => target.bytes + i * arrayBytes), length });
      target.bytes += bytes;
    }
    for (const { bytes } of memories) {
      const memory = allocate(bytes);
      const instance = new WebAssembly.Instance(compiled, { env: { memory } });
      this.kernels.push(instance.exports.adamw as AdamwExport);
      this.buffers.push(memory.buffer);
    }
  }

  private placement(name: string): Placement {
    const p = this.placements.get(name);
    if (!p) throw new Error(`AdamW: no trained tensor named ${name}`);
    return p;
  }

  /** The tensor's four arrays, views of the memory (ONNX Runtime reads and writes them as they are). */
  tensors(name: string): AdamwTensors {
    const { memory, addresses, length } = this.placement(name);
    const view = (i: number) => new Float32Array(this.buffers[memory]!, addresses[i]!, length);
    return { value: view(0), expAvg: view(1), expAvgSq: view(2), grad: view(3) };
  }

  /** One AdamW step of the tensor, in place (its value and both moments, from its gradient). */
  update(name: string, s: AdamwUpdateScalars): void {
    const { memory, addresses, length } = this.placement(name);
    const [value, expAvg, expAvgSq, grad] = addresses as [number, number, number, number];
    this.kernels[memory]!(value, expAvg, expAvgSq, grad, Math.ceil(length / LANES) * LANE_BYTES, ...SCALARS.map((k) => s[k]));
  }
}
