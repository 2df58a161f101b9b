// The ONNX Runtime engine's CPU AdamW (a WebAssembly SIMD kernel): torch.optim.AdamW's update over
// several steps, the same bits as the float32 arithmetic written out element by element, and the
// same bits as the AdamW graph it replaces run in ONNX Runtime.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/main/onnx/graph-builder';
import { encodeModel } from '../../../src/main/onnx/onnx-proto';
import { TensorGraph, type Tensor } from '../../../src/main/onnx/tensor-graph';
import { adamwUpdate } from '../../../src/main/training/onnxruntime/adamw-graph';
import { AdamwKernel, adamwUpdateScalars, type AdamwTensors, type AdamwUpdateScalars } from '../../../src/main/training/optimizer/adamw-kernel';
import { groupAdamwScalars } from '../../../src/main/training/optimizer/adamw-scalars';
import { mulberry32 } from '../../../src/main/util/mulberry32';
import { DEFAULT_OPTIMIZER } from '../../../src/shared/training';

const O = DEFAULT_OPTIMIZER;

function randomTensors(n: number, seed: number): AdamwTensors {
  const random = mulberry32(seed);
  const fill = (f: () => number) => Float32Array.from({ length: n }, f);
  return {
    value: fill(() => random() - 0.5),
    expAvg: fill(() => (random() - 0.5) * 1e-2),
    expAvgSq: fill(() => random() ** 2 * 1e-4),
    grad: fill(() => random() - 0.5),
  };
}
const copy = (t: AdamwTensors): AdamwTensors => ({ value: t.value.slice(), expAvg: t.expAvg.slice(), expAvgSq: t.expAvgSq.slice(), grad: t.grad });

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
    const kernel = new AdamwKernel();
    const t: AdamwTensors = { value: Float32Array.from(start), expAvg: new Float32Array(5), expAvgSq: new Float32Array(5), grad: new Float32Array(5) };
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
      kernel.update(t, adamwUpdateScalars(O, norm, maxNorm, groupAdamwScalars(O, lr, step)));
    });
    for (let j = 0; j < p.length; j++) expect(t.value[j]).toBeCloseTo(p[j]!, 6);
  });

  it('gives the float32 arithmetic bit for bit, across chunks and a length that is no multiple of four', () => {
    const kernel = new AdamwKernel();
    for (const n of [1, 7, 16_384, 50_001]) {
      const t = randomTensors(n, n);
      const expected = copy(t);
      const s = adamwUpdateScalars(O, 3.5, 1, groupAdamwScalars(O, 1e-3, 4));
      kernel.update(t, s);
      scalarUpdate(expected, s);
      expectSameBits(t.value, expected.value);
      expectSameBits(t.expAvg, expected.expAvg);
      expectSameBits(t.expAvgSq, expected.expAvgSq);
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

    const t = randomTensors(n, 7);
    const group = groupAdamwScalars(O, 2e-4, 3);
    const [norm, maxNorm] = [1.7, 1];
    const f32 = (data: Float32Array, dims = [n]) => new ort.Tensor('float32', data, dims);
    const scalar = (x: number) => f32(Float32Array.of(x), []);
    const feeds: Record<string, ort.Tensor> = {
      w: f32(t.value),
      g: f32(t.grad),
      m: f32(t.expAvg),
      v: f32(t.expAvgSq),
      norm: scalar(norm),
      max_norm: scalar(maxNorm),
      step_size: scalar(group.stepSize),
      decay: scalar(group.decay),
      bias2_sqrt: scalar(group.bias2Sqrt),
    };
    const out = await session.run(Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]!])));
    await session.release();

    new AdamwKernel().update(t, adamwUpdateScalars(O, norm, maxNorm, group));
    expectSameBits(t.value, out.w_out!.data as Float32Array);
    expectSameBits(t.expAvg, out.m_out!.data as Float32Array);
    expectSameBits(t.expAvgSq, out.v_out!.data as Float32Array);
  });

  it('refuses tensors of different lengths, naming the one that differs', () => {
    const t = randomTensors(8, 1);
    expect(() => new AdamwKernel().update({ ...t, grad: new Float32Array(9) }, adamwUpdateScalars(O, 1, 1, groupAdamwScalars(O, 1e-3, 1)))).toThrow(
      /grad has 9 elements/,
    );
  });
});
