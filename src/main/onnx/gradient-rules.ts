// The gradient of each operator the models are built from, written with standard ONNX operators
// (the vector-Jacobian products autodiff.ts chains). A rule gets the op as recorded, the gradient
// of each of its outputs (undefined: the loss does not depend on it) and which inputs need one.
import { TO_END, type Tensor, TensorGraph, type TapeEntry } from './tensor-graph';

/** Rows of a lookup table and what to add to them (a row may repeat). */
export interface SparseRows {
  /** int64 [N, 1] */
  indices: Tensor;
  /** [N, width] */
  updates: Tensor;
}

export interface Gradient {
  dense?: Tensor;
  sparse?: SparseRows;
}

type Rule = (tg: TensorGraph, entry: TapeEntry, dys: (Tensor | undefined)[], wanted: boolean[]) => (Gradient | undefined)[];

const dense = (t: Tensor | undefined): Gradient | undefined => (t ? { dense: t } : undefined);

/** dy (shaped like the op's broadcast output) summed back to x's shape. */
function unbroadcast(tg: TensorGraph, dy: Tensor, x: Tensor): Tensor {
  const lead = dy.shape.length - x.shape.length;
  const axes: number[] = [];
  dy.shape.forEach((d, i) => {
    if (i < lead || (x.shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  if (axes.length === 0) return dy;
  const summed = tg.reduceSum(dy, axes, true);
  return lead > 0 ? tg.reshapeLike(summed, x) : summed;
}

/** The last two axes swapped. */
function swapLast(tg: TensorGraph, t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return tg.transpose(t, perm);
}

const elementwise =
  (f: (tg: TensorGraph, x: Tensor, y: Tensor, dy: Tensor) => Tensor): Rule =>
  (tg, { inputs: [x], outputs: [y] }, [dy]) => [dense(dy && f(tg, x!, y!, dy))];

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

const RULES: Record<string, Rule> = {
  Add: (tg, { inputs: [a, b] }, [dy], want) => [dense(want[0] ? unbroadcast(tg, dy!, a!) : undefined), dense(want[1] ? unbroadcast(tg, dy!, b!) : undefined)],
  Sub: (tg, { inputs: [a, b] }, [dy], want) => [
    dense(want[0] ? unbroadcast(tg, dy!, a!) : undefined),
    dense(want[1] ? unbroadcast(tg, tg.neg(dy!), b!) : undefined),
  ],
  Mul: (tg, { inputs: [a, b] }, [dy], want) => [
    dense(want[0] ? unbroadcast(tg, tg.mul(dy!, b!), a!) : undefined),
    dense(want[1] ? unbroadcast(tg, tg.mul(dy!, a!), b!) : undefined),
  ],
  Div: (tg, { inputs: [a, b], outputs: [y] }, [dy], want) => [
    dense(want[0] ? unbroadcast(tg, tg.div(dy!, b!), a!) : undefined),
    dense(want[1] ? unbroadcast(tg, tg.neg(tg.div(tg.mul(dy!, y!), b!)), b!) : undefined),
  ],
  Neg: elementwise((tg, _x, _y, dy) => tg.neg(dy)),
  Sqrt: elementwise((tg, _x, y, dy) => tg.div(tg.scale(dy, 0.5), y)),
  Reciprocal: elementwise((tg, _x, y, dy) => tg.neg(tg.mul(dy, tg.mul(y, y)))),
  Exp: elementwise((tg, _x, y, dy) => tg.mul(dy, y)),
  Tanh: elementwise((tg, _x, y, dy) => tg.mul(dy, tg.sub(tg.scalar(1), tg.mul(y, y)))),
  Sigmoid: elementwise((tg, _x, y, dy) => tg.mul(dy, tg.mul(y, tg.sub(tg.scalar(1), y)))),
  // d/dx of 0.5·x·(1 + tanh(u)), u = c·(x + a·x³): 0.5·(1 + t) + 0.5·x·(1 − t²)·c·(1 + 3a·x²)
  Gelu: elementwise((tg, x, _y, dy) => {
    const x2 = tg.mul(x, x);
    const t = tg.tanh(tg.scale(tg.add(x, tg.scale(tg.mul(x2, x), GELU_A)), GELU_C));
    const du = tg.scale(tg.add(tg.scalar(1), tg.scale(x2, 3 * GELU_A)), GELU_C);
    const slope = tg.add(tg.scale(tg.add(tg.scalar(1), t), 0.5), tg.mul(tg.scale(x, 0.5), tg.mul(tg.sub(tg.scalar(1), tg.mul(t, t)), du)));
    return tg.mul(dy, slope);
  }),

  MatMul: (tg, { inputs: [a, b] }, [dy], want) => {
    const da = want[0] ? unbroadcast(tg, tg.matmul(dy!, swapLast(tg, b!)), a!) : undefined;
    let db: Tensor | undefined;
    if (want[1] && b!.shape.length === 2 && a!.shape.length > 2) {
      // a weight shared by every row of a batch: one product over all rows
      const k = a!.shape[a!.shape.length - 1] as number;
      const n = dy!.shape[dy!.shape.length - 1] as number;
      db = tg.raw('Gemm', [tg.reshape(a!, [-1, k]).name, tg.reshape(dy!, [-1, n]).name], [k, n], { transA: 1 });
    } else if (want[1]) {
      db = unbroadcast(tg, tg.matmul(swapLast(tg, a!), dy!), b!);
    }
    return [dense(da), dense(db)];
  },
  // y = x·wᵀ + b, x [N, in], w [out, in]
  Gemm: (tg, { inputs: [x, w, b] }, [dy], want) => [
    dense(want[0] ? tg.raw('Gemm', [dy!.name, w!.name], x!.shape) : undefined),
    dense(want[1] ? tg.raw('Gemm', [dy!.name, x!.name], w!.shape, { transA: 1 }) : undefined),
    dense(b && want[2] ? tg.reduceSum(dy!, [0], false) : undefined),
  ],

  Reshape: (tg, { inputs: [x] }, [dy]) => [dense(tg.reshapeLike(dy!, x!))],
  Transpose: (tg, { attrs }, [dy]) => {
    const perm = attrs.perm as number[];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [dense(tg.transpose(dy!, inverse))];
  },
  Concat: (tg, { inputs, attrs }, [dy]) => {
    const axis = attrs.axis as number;
    const sizes = inputs.map((t) => t.shape[axis]!);
    if (sizes.every((s) => typeof s === 'number')) return tg.split(dy!, sizes as number[], axis).map(dense);
    // sizes known at run time: read them from the inputs' shapes
    const sizeTensor = tg.raw(
      'Concat',
      inputs.map((t) => tg.g.op('Shape', [t.name], { start: axis, end: axis + 1 })),
      [inputs.length],
      { axis: 0 },
      'int64',
    );
    const parts = tg.g.opN('Split', [dy!.name, sizeTensor.name], { axis }, { outputs: inputs.length });
    return parts.map((name, i) => dense({ name, shape: inputs[i]!.shape, dtype: 'float32' }));
  },
  Split: (tg, { outputs, attrs }, dys) => [
    dense(
      tg.concat(
        dys.map((dy, i) => dy ?? tg.zerosLike(outputs[i]!)),
        attrs.axis as number,
      ),
    ),
  ],
  Slice: (tg, { inputs: [x], attrs }, [dy]) => {
    const { axis, start, end } = attrs as { axis: number; start: number; end: number };
    const dim = x!.shape[axis]!;
    if (end !== TO_END && typeof dim !== 'number') throw new Error('Slice gradient: a bounded slice of a dimension known only at run time');
    const pads = new Array<number>(2 * x!.shape.length).fill(0);
    pads[axis] = start;
    pads[x!.shape.length + axis] = end === TO_END ? 0 : (dim as number) - end;
    return [dense(tg.raw('Pad', [dy!.name, tg.g.ints(pads)], x!.shape))];
  },
  Gather: (tg, { inputs: [table, indices] }, [dy]) => {
    const width = table!.shape.slice(1) as number[];
    return [
      { sparse: { indices: tg.raw('Reshape', [indices!.name, tg.g.ints([-1, 1])], ['rows', 1], {}, 'int64'), updates: tg.reshape(dy!, [-1, ...width]) } },
      undefined,
    ];
  },
  GatherElements: (tg, { inputs: [data, indices] }, [dy]) => [
    dense(tg.raw('ScatterElements', [tg.zerosLike(data!).name, indices!.name, dy!.name], data!.shape, { axis: 1, reduction: 'add' })),
    undefined,
  ],

  ReduceSum: (tg, { inputs: [x], attrs }, [dy]) => [dense(tg.expandLike(keepDims(tg, dy!, attrs), x!))],
  ReduceMean: (tg, { inputs: [x], attrs }, [dy]) => {
    const axes = attrs.axes as number[];
    const count = axes.reduce((n, a) => n * (x!.shape.at(a) as number), 1);
    if (!Number.isInteger(count)) throw new Error('ReduceMean gradient: the reduced axes must have static sizes');
    return [dense(tg.expandLike(tg.scale(keepDims(tg, dy!, attrs), 1 / count), x!))];
  },
  Softmax: (tg, { outputs: [y] }, [dy]) => [dense(tg.mul(y!, tg.sub(dy!, tg.reduceSum(tg.mul(dy!, y!), [-1]))))],
  LogSoftmax: (tg, { outputs: [y] }, [dy]) => [dense(tg.sub(dy!, tg.mul(tg.exp(y!), tg.reduceSum(dy!, [-1]))))],
  LayerNormalization: (tg, entry, [dy], want) => {
    const [x, w] = entry.inputs as [Tensor, Tensor];
    const [mean, invStd] = TensorGraph.layerNormStats(entry);
    const xhat = tg.mul(tg.sub(x, mean), invStd);
    const leading = x.shape.slice(0, -1).map((_, i) => i);
    let dx: Tensor | undefined;
    if (want[0]) {
      const g = tg.mul(dy!, w);
      dx = tg.mul(invStd, tg.sub(tg.sub(g, tg.reduceMean(g, [-1])), tg.mul(xhat, tg.reduceMean(tg.mul(g, xhat), [-1]))));
    }
    return [
      dense(dx),
      dense(want[1] ? tg.reduceSum(tg.mul(dy!, xhat), leading, false) : undefined),
      dense(want[2] ? tg.reduceSum(dy!, leading, false) : undefined),
    ];
  },
};

/** dy with the axes a reduction removed put back as size 1. */
function keepDims(tg: TensorGraph, dy: Tensor, attrs: Record<string, unknown>): Tensor {
  if (attrs.keepdims === 1) return dy;
  const axes = attrs.axes as number[];
  const shape = [...dy.shape];
  for (const a of [...axes].sort((p, q) => p - q)) shape.splice(a, 0, 1);
  return tg.raw('Unsqueeze', [dy.name, tg.g.ints(axes)], shape);
}

export function gradientRule(op: string): Rule {
  const rule = RULES[op];
  if (!rule) throw new Error(`no gradient rule for the ONNX operator ${op}`);
  return rule;
}
