// Every gradient rule against finite differences: for each operator the training graphs use, a
// small graph computes loss = Σ f(inputs) · r (r fixed random weights) and its gradients by
// autodiff, run in ONNX Runtime; each gradient entry is compared with the central difference of
// the loss (float32, so a relative tolerance of 1e-2 on values of order one).
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { gradientParts, gradients } from '../../../src/main/onnx/autodiff';
import { GraphBuilder } from '../../../src/main/onnx/graph-builder';
import { encodeModel } from '../../../src/main/onnx/onnx-proto';
import { TensorGraph, type Shape, type Tensor } from '../../../src/main/onnx/tensor-graph';
import { SeededRandom } from '../../../src/main/demo/seeded-random';

interface Case {
  name: string;
  inputs: Record<string, { shape: number[]; int?: number[]; positive?: boolean }>;
  /** named dims: the graph declares these input axes by name */
  symbolic?: Record<string, Shape>;
  f: (tg: TensorGraph, x: Record<string, Tensor>) => Tensor;
}

const CASES: Case[] = [
  { name: 'Add with broadcasting', inputs: { a: { shape: [2, 3, 4] }, b: { shape: [4] } }, f: (tg, x) => tg.add(x.a!, x.b!) },
  { name: 'Sub with broadcasting', inputs: { a: { shape: [3, 1] }, b: { shape: [2, 3, 4] } }, f: (tg, x) => tg.sub(x.a!, x.b!) },
  { name: 'Mul, Div', inputs: { a: { shape: [2, 3] }, b: { shape: [1, 3], positive: true } }, f: (tg, x) => tg.div(tg.mul(x.a!, x.a!), x.b!) },
  { name: 'Sqrt, Reciprocal, Neg', inputs: { a: { shape: [5], positive: true } }, f: (tg, x) => tg.neg(tg.reciprocal(tg.sqrt(x.a!))) },
  { name: 'Exp, Tanh, Sigmoid', inputs: { a: { shape: [6] } }, f: (tg, x) => tg.add(tg.exp(x.a!), tg.mul(tg.tanh(x.a!), tg.sigmoid(x.a!))) },
  { name: 'Gelu (tanh)', inputs: { a: { shape: [7] } }, f: (tg, x) => tg.gelu(tg.scale(x.a!, 2)) },
  { name: 'MatMul, batched', inputs: { a: { shape: [2, 3, 4] }, b: { shape: [2, 4, 5] } }, f: (tg, x) => tg.matmul(x.a!, x.b!) },
  { name: 'MatMul, shared weight', inputs: { a: { shape: [2, 3, 4] }, b: { shape: [4, 5] } }, f: (tg, x) => tg.matmul(x.a!, x.b!) },
  { name: 'Gemm (Linear with bias)', inputs: { x: { shape: [3, 4] }, w: { shape: [5, 4] }, b: { shape: [5] } }, f: (tg, x) => tg.linear(x.x!, x.w!, x.b!) },
  { name: 'Reshape, Transpose', inputs: { a: { shape: [2, 3, 4] } }, f: (tg, x) => tg.transpose(tg.reshape(x.a!, [6, 4]), [1, 0]) },
  {
    name: 'Concat, Split',
    inputs: { a: { shape: [2, 3] }, b: { shape: [2, 2] } },
    f: (tg, x) => {
      const [p, q] = tg.split(tg.concat([x.a!, x.b!], 1), [4, 1], 1);
      return tg.mul(p!, tg.neg(tg.concat([q!, q!, q!, q!], 1)));
    },
  },
  {
    name: 'Concat of run-time sizes',
    inputs: { a: { shape: [3, 2] }, b: { shape: [2, 2] } },
    symbolic: { a: ['n', 2], b: ['m', 2] },
    f: (tg, x) => tg.mul(tg.concat([x.a!, x.b!], 0), tg.concat([x.a!, x.b!], 0)),
  },
  { name: 'Slice to the end', inputs: { a: { shape: [2, 5, 3] } }, f: (tg, x) => tg.slice(x.a!, 1, 2) },
  { name: 'Slice, bounded', inputs: { a: { shape: [2, 5, 3] } }, f: (tg, x) => tg.slice(x.a!, 1, 1, 3) },
  { name: 'Gather with repeated rows', inputs: { t: { shape: [5, 3] }, i: { shape: [4], int: [1, 3, 1, 0] } }, f: (tg, x) => tg.gather(x.t!, x.i!) },
  {
    name: 'ReduceSum, ReduceMean',
    inputs: { a: { shape: [2, 3, 4] } },
    f: (tg, x) => tg.mul(tg.reduceSum(x.a!, [2], true), tg.reduceMean(tg.mul(x.a!, x.a!), [0, 2], true)),
  },
  { name: 'Softmax', inputs: { a: { shape: [2, 5] } }, f: (tg, x) => tg.softmax(x.a!) },
  { name: 'LayerNormalization', inputs: { x: { shape: [2, 3, 6] }, w: { shape: [6] }, b: { shape: [6] } }, f: (tg, x) => tg.layerNorm(x.x!, x.w!, x.b!, 1e-6) },
  {
    name: 'cross-entropy over picked rows',
    inputs: { z: { shape: [3, 7] }, y: { shape: [3], int: [2, 6, 0] }, w: { shape: [3], positive: true } },
    f: (tg, x) => tg.crossEntropy(x.z!, x.y!, x.w!),
  },
  { name: 'a tensor used twice (gradients add up)', inputs: { a: { shape: [3, 3] } }, f: (tg, x) => tg.matmul(x.a!, tg.transpose(x.a!, [1, 0])) },
];

interface Built {
  bytes: Uint8Array;
  floatInputs: string[];
}

function build(c: Case, random: SeededRandom): Built & { weights: Float32Array } {
  const tg = new TensorGraph(new GraphBuilder(c.name));
  const x: Record<string, Tensor> = {};
  for (const [name, spec] of Object.entries(c.inputs)) x[name] = tg.input(name, c.symbolic?.[name] ?? spec.shape, spec.int ? 'int64' : 'float32');
  const y = c.f(tg, x);
  const all = (t: Tensor): Tensor => tg.reduceSum(tg.reshape(t, [-1]), [0], false);
  const shape = y.shape.every((d) => typeof d === 'number') ? (y.shape as number[]) : undefined;
  // a fixed random weighting of the outputs (Σ y² where the output's size is known only at run time)
  const weights = Float32Array.from({ length: shape ? shape.reduce((a, b) => a * b, 1) : 0 }, () => random.normal());
  const loss = shape ? all(tg.mul(y, tg.constant('r', weights, shape))) : all(tg.mul(y, y));
  tg.output(loss, 'loss');
  const floatInputs = Object.entries(c.inputs)
    .filter(([, s]) => !s.int)
    .map(([n]) => n);
  const grads = gradients(
    tg,
    loss,
    floatInputs.map((n) => x[n]!),
  );
  for (const n of floatInputs) tg.output(grads.get(x[n]!)!, `grad.${n}`);
  return { bytes: encodeModel(tg.g.toModel({ '': 21 })), floatInputs, weights };
}

describe('autodiff gradient rules', () => {
  for (const c of CASES) {
    it(`${c.name}: gradients equal finite differences`, async () => {
      const random = new SeededRandom(7);
      const { bytes, floatInputs } = build(c, random);
      const session = await ort.InferenceSession.create(bytes);
      const feeds: Record<string, ort.Tensor> = {};
      const values: Record<string, Float32Array> = {};
      for (const [name, spec] of Object.entries(c.inputs)) {
        if (spec.int) {
          feeds[name] = new ort.Tensor('int64', BigInt64Array.from(spec.int.map(BigInt)), spec.shape);
        } else {
          values[name] = Float32Array.from({ length: spec.shape.reduce((a, b) => a * b, 1) }, () => (spec.positive ? 0.5 + random.uniform() : random.normal()));
          feeds[name] = new ort.Tensor('float32', values[name], spec.shape);
        }
      }
      const lossAt = async (): Promise<number> => ((await session.run(feeds, ['loss'])).loss!.data as Float32Array)[0]!;
      const analytic = await session.run(feeds);
      const eps = 1e-2;
      for (const name of floatInputs) {
        const grad = analytic[`grad.${name}`]!.data as Float32Array;
        const data = values[name]!;
        expect(grad.length).toBe(data.length);
        for (let i = 0; i < data.length; i++) {
          const keep = data[i]!;
          data[i] = keep + eps;
          const up = await lossAt();
          data[i] = keep - eps;
          const down = await lossAt();
          data[i] = keep;
          const numeric = (up - down) / (2 * eps);
          expect(Math.abs(grad[i]! - numeric), `${name}[${i}]: autodiff ${grad[i]} vs finite difference ${numeric}`).toBeLessThanOrEqual(
            1e-2 * Math.max(1, Math.abs(numeric)),
          );
        }
      }
      await session.release();
    });
  }
});

describe('autodiff gradient parts', () => {
  it("keeps a tied table's looked-up rows apart from its dense gradient; added, they make the whole gradient", async () => {
    // t is both the embedding (rows looked up) and the head (a dense MatMul), as in a tied LM
    const tg = new TensorGraph(new GraphBuilder('tied'));
    const t = tg.input('t', [6, 3]);
    const ids = tg.input('i', [4], 'int64');
    const logits = tg.matmul(tg.gather(t, ids), tg.transpose(t, [1, 0]));
    const loss = tg.reduceSum(tg.reshape(tg.mul(logits, logits), [-1]), [0], false);
    tg.output(loss, 'loss');
    const parts = gradientParts(tg, loss, [t]).get(t)!;
    expect(parts.dense && parts.sparse).toBeTruthy();
    tg.output(parts.dense!, 'dense');
    tg.output(parts.sparse!.indices, 'indices');
    tg.output(parts.sparse!.updates, 'updates');
    tg.output(gradients(tg, loss, [t]).get(t)!, 'whole');
    const session = await ort.InferenceSession.create(encodeModel(tg.g.toModel({ '': 21 })));
    const random = new SeededRandom(3);
    const out = await session.run({
      t: new ort.Tensor(
        'float32',
        Float32Array.from({ length: 18 }, () => random.normal()),
        [6, 3],
      ),
      i: new ort.Tensor('int64', BigInt64Array.from([4n, 1n, 4n, 0n]), [4]),
    });
    const sum = Float32Array.from(out.dense!.data as Float32Array);
    const updates = out.updates!.data as Float32Array;
    (out.indices!.data as BigInt64Array).forEach((row, k) => {
      for (let j = 0; j < 3; j++) sum[Number(row) * 3 + j] = sum[Number(row) * 3 + j]! + updates[k * 3 + j]!;
    });
    expect([...sum]).toEqual([...(out.whole!.data as Float32Array)]);
    await session.release();
  });
});
