// The ONNX Runtime engine's CPU AdamW (a WebAssembly SIMD kernel over the tensors in its memory):
// torch.optim.AdamW's update over several steps, the same bits as the float32 arithmetic written
// out element by element for tensors packed side by side, and the same bits as the AdamW graph it
// replaces, run in ONNX Runtime on views of that memory.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/main/onnx/graph-builder';
import { encodeModel } from '../../../src/main/onnx/onnx-proto';
import { TensorGraph, type Tensor } from '../../../src/main/onnx/tensor-graph';
import { adamwUpdate } from '../../../src/main/training/onnxruntime/adamw-graph';
import { AdamwMemory, adamwUpdateScalars, type AdamwTensors, type AdamwUpdateScalars } from '../../../src/main/training/optimizer/adamw-kernel';
import { groupAdamwScalars } from '../../../src/main/training/optimizer/adamw-scalars';
import { mulberry32 } from '../../../src/main/util/mulberry32';
import { DEFAULT_OPTIMIZER } from '../../../src/shared/training';

const O = DEFAULT_OPTIMIZER;

/** Fills the tensors with random moments, values and gradient. */
function randomize(t: AdamwTensors, seed: number): void {
  const random = mulberry32(seed);
  for (let i = 0; i < t.value.length; i++) {
    t.value[i] = random() - 0.5;
    t.expAvg[i] = (random() - 0.5) * 1e-2;
    t.expAvgSq[i] = random() ** 2 * 1e-4;
    t.grad[i] = random() - 0.5;
  }
}
const copy = (t: AdamwTensors): AdamwTensors => ({ value: t.value.slice(), expAvg: t.expAvg.slice(), expAvgSq: t.expAvgSq.slice(), grad: t.grad.slice() });

/** The kernel's update written out in float32, element by element. */
function scalarUpdate(t: AdamwTensors, s: AdamwUpdateScalars): void {
  const f = Math.fround;
  for (let i = 0; i < t.value.length; i++) {
    const g = t.grad[i]!;
    const m = (t.expAvg[i] = f(f(t.expAvg[i]! * s.beta1) + f(g * s.gradScale)));
    const v = (t.expAvgSq[i] = f(f(t.expAvgSq[i]! * s.beta2) + f(f(g * g) * s.squareScale)));
    t.value[i] = f(f(t.value[i]! * s.decay) - f(f(m / f(f(Math.sqrt(v)) + s.eps)) * s.stepSize));
  }
}

const expectSameBits = (a: Float32Array, b: Float32Array) => {
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differing++;
  expect(differing).toBe(0);
};

describe('the AdamW kernel', () => {
  it('matches torch.optim.AdamW over three steps, clipping included', () => {
    const start = [0.5, -1.25, 2, 0, 0.75];
    const grads = [
      [0.1, -0.2, 0.3, 1e-9, 2],
      [-0.05, 0.4, 0.0, 0.2, -1],
      [0.3, 0.3, -0.1, -0.2, 0.5],
    ];
    const lr = 0.01;
    const maxNorm = 1;
    // PyTorch in double precision: clip_grad_norm_ then AdamW
    const p = [...start];
    const m = p.map(() => 0);
    const v = p.map(() => 0);
    const memory = new AdamwMemory(new Map([['p', 5]]));
    const t = memory.tensors('p');
    t.value.set(start);
    grads.forEach((g, i) => {
      const step = i + 1;
      const norm = Math.hypot(...g);
      const c = Math.min(1, maxNorm / (norm + 1e-6));
      for (let j = 0; j < p.length; j++) {
        p[j]! *= 1 - lr * O.weightDecay;
        m[j] = O.beta1 * m[j]! + (1 - O.beta1) * c * g[j]!;
        v[j] = O.beta2 * v[j]! + (1 - O.beta2) * (c * g[j]!) ** 2;
        p[j]! -= (lr / (1 - O.beta1 ** step)) * (m[j]! / (Math.sqrt(v[j]!) / Math.sqrt(1 - O.beta2 ** step) + O.eps));
      }
      t.grad.set(g);
      memory.update('p', adamwUpdateScalars(O, norm, maxNorm, groupAdamwScalars(O, lr, step)));
    });
    for (let j = 0; j < p.length; j++) expect(t.value[j]).toBeCloseTo(p[j]!, 6);
  });

  it('gives the float32 arithmetic bit for bit, for tensors packed side by side of lengths that are no multiple of four', () => {
    const lengths = new Map([
      ['a', 1],
      ['b', 7],
      ['c', 16_384],
      ['d', 50_001],
    ]);
    const memory = new AdamwMemory(lengths);
    const expected = new Map<string, AdamwTensors>();
    for (const [i, name] of [...lengths.keys()].entries()) {
      randomize(memory.tensors(name), i);
      expected.set(name, copy(memory.tensors(name)));
    }
    const s = adamwUpdateScalars(O, 3.5, 1, groupAdamwScalars(O, 1e-3, 4));
    for (const name of lengths.keys()) {
      memory.update(name, s);
      scalarUpdate(expected.get(name)!, s);
    }
    for (const name of lengths.keys()) {
      const [t, e] = [memory.tensors(name), expected.get(name)!];
      for (const a of ['value', 'expAvg', 'expAvgSq', 'grad'] as const) expectSameBits(t[a], e[a]);
    }
  });

  it('gives the bits of the AdamW graph run in ONNX Runtime', async () => {
    const n = 10_007;
    const tg = new TensorGraph(new GraphBuilder('adamw'));
    const input = (name: string, shape: number[] = [n]) => tg.input(name, shape);
    const scalars = new Map<string, Tensor>();
    const groupScalar = (name: string) => scalars.get(name) ?? scalars.set(name, input(name, [])).get(name)!;
    const param = { name: 'w', group: 'language' as const, value: input('w'), grad: input('g'), expAvg: input('m'), expAvgSq: input('v') };
    const updated = adamwUpdate(tg, [param], input('norm', []), groupScalar, input('max_norm', []), O).get('w')!;
    tg.output(updated.value, 'w_out');
    tg.output(updated.expAvg, 'm_out');
    tg.output(updated.expAvgSq, 'v_out');
    const session = await ort.InferenceSession.create(encodeModel(tg.g.toModel({ '': 21 })));

    const memory = new AdamwMemory(new Map([['w', n]]));
    const t = memory.tensors('w');
    randomize(t, 7);
    const before = copy(t);
    const group = groupAdamwScalars(O, 2e-4, 3);
    const [norm, maxNorm] = [1.7, 1];
    const f32 = (data: Float32Array, dims = [n]) => new ort.Tensor('float32', data, dims);
    const scalar = (x: number) => f32(Float32Array.of(x), []);
    const feeds: Record<string, ort.Tensor> = {
      w: f32(before.value),
      g: f32(t.grad), // a view of the kernel's memory
      m: f32(before.expAvg),
      v: f32(before.expAvgSq),
      norm: scalar(norm),
      max_norm: scalar(maxNorm),
      step_size: scalar(group.stepSize),
      decay: scalar(group.decay),
      bias2_sqrt: scalar(group.bias2Sqrt),
    };
    const out = await session.run(Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]!])));
    await session.release();

    memory.update('w', adamwUpdateScalars(O, norm, maxNorm, group));
    expectSameBits(t.value, out.w_out!.data as Float32Array);
    expectSameBits(t.expAvg, out.m_out!.data as Float32Array);
    expectSameBits(t.expAvgSq, out.v_out!.data as Float32Array);
  });

  it('refuses a tensor it cannot hold and a name it does not have, naming them', () => {
    expect(() => new AdamwMemory(new Map([['model.huge.weight', 2 ** 28 + 1]]))).toThrow(/model\.huge\.weight has 268435457 elements/);
    expect(() => new AdamwMemory(new Map([['a', 8]])).update('b', adamwUpdateScalars(O, 1, 1, groupAdamwScalars(O, 1e-3, 1)))).toThrow(
      /no trained tensor named b/,
    );
  });
});
