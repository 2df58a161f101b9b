// A typed layer over GraphBuilder for graphs that are differentiated: every value is a Tensor with
// a dtype and a shape, each op infers its output's shape, and every op is recorded on a tape so that
// autodiff.ts can build the backward pass from the same standard ONNX operators.
//
// Dimensions are numbers, or names for sizes known only when the graph runs (a batch's sequence
// length, its tile count). A named dimension is never 1: broadcasting is decided by the numbers.
// Sizes derived from named ones (B·T) get names of their own; they are labels, not algebra.
import { float, GraphBuilder, type AttrValue } from './graph-builder';
import { DataType, type DataTypeCode } from './onnx-proto';

export type Dim = number | string;
export type Shape = readonly Dim[];
export type DType = 'float32' | 'int64';

export interface Tensor {
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
}

/** One recorded operation: which op, on what, giving what (for the backward pass). */
export interface TapeEntry {
  op: string;
  inputs: Tensor[];
  outputs: Tensor[];
  attrs: Record<string, unknown>;
}

const ONNX_TYPE: Record<DType, DataTypeCode> = { float32: DataType.FLOAT, int64: DataType.INT64 };
/** Slice's "to the end" */
export const TO_END = Number.MAX_SAFE_INTEGER;

const isStatic = (d: Dim): d is number => typeof d === 'number';
/** A name for a size made of named ones. */
const label = (dims: readonly Dim[]): string => dims.filter((d) => !isStatic(d)).join('·');
export const staticSize = (shape: Shape): number | undefined => (shape.every(isStatic) ? shape.reduce((a, b) => a * b, 1) : undefined);

export function broadcastShapes(a: Shape, b: Shape): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1 || y === x || !isStatic(y) || !isStatic(x)) out.push(x);
    else throw new Error(`cannot broadcast [${a.join(', ')}] with [${b.join(', ')}]`);
  }
  return out;
}

const axisOf = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

export class TensorGraph {
  readonly tape: TapeEntry[] = [];

  constructor(readonly g: GraphBuilder) {}

  input(name: string, shape: Shape, dtype: DType = 'float32'): Tensor {
    this.g.input(name, ONNX_TYPE[dtype], [...shape]);
    return { name, shape, dtype };
  }

  output(t: Tensor, name: string): void {
    this.g.output(t.name, name, ONNX_TYPE[t.dtype], [...t.shape]);
  }

  scalar(value: number): Tensor {
    return { name: this.g.scalar(value), shape: [], dtype: 'float32' };
  }

  ints(values: number[]): Tensor {
    return { name: this.g.ints(values), shape: [values.length], dtype: 'int64' };
  }

  constant(name: string, data: Float32Array, shape: number[]): Tensor {
    return { name: this.g.initializer(name, data, shape), shape, dtype: 'float32' };
  }

  scope<T>(name: string, build: () => T): T {
    return this.g.scope(name, build);
  }

  /** Emit one node and record it. */
  private node(
    op: string,
    inputs: Tensor[],
    extra: string[],
    attrs: Record<string, AttrValue>,
    shapes: Shape[],
    dtype: DType = 'float32',
    record: Record<string, unknown> = {},
  ): Tensor[] {
    const names = this.g.opN(op, [...inputs.map((t) => t.name), ...extra], attrs, { outputs: shapes.length });
    const outputs = names.map((name, i) => ({ name, shape: shapes[i]!, dtype }));
    this.tape.push({ op, inputs, outputs, attrs: { ...attrs, ...record } });
    return outputs;
  }

  private one(
    op: string,
    inputs: Tensor[],
    shape: Shape,
    attrs: Record<string, AttrValue> = {},
    extra: string[] = [],
    record: Record<string, unknown> = {},
    dtype: DType = 'float32',
  ): Tensor {
    return this.node(op, inputs, extra, attrs, [shape], dtype, record)[0]!;
  }

  // Elementwise, with numpy broadcasting.
  add(a: Tensor, b: Tensor): Tensor {
    return this.one('Add', [a, b], broadcastShapes(a.shape, b.shape));
  }
  sub(a: Tensor, b: Tensor): Tensor {
    return this.one('Sub', [a, b], broadcastShapes(a.shape, b.shape));
  }
  mul(a: Tensor, b: Tensor): Tensor {
    return this.one('Mul', [a, b], broadcastShapes(a.shape, b.shape));
  }
  div(a: Tensor, b: Tensor): Tensor {
    return this.one('Div', [a, b], broadcastShapes(a.shape, b.shape));
  }
  min(a: Tensor, b: Tensor): Tensor {
    return this.one('Min', [a, b], broadcastShapes(a.shape, b.shape));
  }
  neg(x: Tensor): Tensor {
    return this.one('Neg', [x], x.shape);
  }
  sqrt(x: Tensor): Tensor {
    return this.one('Sqrt', [x], x.shape);
  }
  reciprocal(x: Tensor): Tensor {
    return this.one('Reciprocal', [x], x.shape);
  }
  exp(x: Tensor): Tensor {
    return this.one('Exp', [x], x.shape);
  }
  tanh(x: Tensor): Tensor {
    return this.one('Tanh', [x], x.shape);
  }
  sigmoid(x: Tensor): Tensor {
    return this.one('Sigmoid', [x], x.shape);
  }
  /** GELU with the tanh approximation (SigLIP's). */
  gelu(x: Tensor): Tensor {
    return this.one('Gelu', [x], x.shape, { approximate: 'tanh' });
  }

  scale(x: Tensor, factor: number): Tensor {
    return this.mul(x, this.scalar(factor));
  }

  /** Batched matrix product [..., M, K] · [..., K, N] (batch dimensions broadcast). */
  matmul(a: Tensor, b: Tensor): Tensor {
    const m = a.shape[a.shape.length - 2]!;
    const n = b.shape[b.shape.length - 1]!;
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return this.one('MatMul', [a, b], [...batch, m, n]);
  }

  /** nn.Linear on rows: x [N, in] · wᵀ (w stored [out, in] as PyTorch does) + b. */
  linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
    if (x.shape.length !== 2) throw new Error(`linear: rows must be 2-D, got [${x.shape.join(', ')}]`);
    return this.one('Gemm', b ? [x, w, b] : [x, w], [x.shape[0]!, w.shape[0]!], { transB: 1 });
  }

  /**
   * target: static sizes, 0 to keep the input's size at that axis, at most one -1 (inferred; named
   * when the input has named dims).
   */
  reshape(x: Tensor, target: number[]): Tensor {
    const kept = target.map((d, i) => (d === 0 ? x.shape[i]! : d));
    const known = kept.filter((d) => d !== -1);
    const total = staticSize(x.shape);
    const inferred: Dim = total !== undefined && known.every(isStatic) ? total / known.reduce((a, b) => a * b, 1) : label(x.shape);
    const shape = kept.map((d) => (d === -1 ? inferred : d));
    return this.one('Reshape', [x], shape, {}, [this.g.ints(target)], { target });
  }

  transpose(x: Tensor, perm: number[]): Tensor {
    return this.one(
      'Transpose',
      [x],
      perm.map((p) => x.shape[p]!),
      { perm },
    );
  }

  concat(xs: Tensor[], axis: number): Tensor {
    const a = axisOf(axis, xs[0]!.shape.length);
    const sizes = xs.map((t) => t.shape[a]!);
    const shape = [...xs[0]!.shape];
    shape[a] = sizes.every(isStatic) ? sizes.reduce((n, d) => n + d, 0) : sizes.join('+');
    return this.one('Concat', xs, shape, { axis: a });
  }

  /** Split into parts of static sizes along an axis. */
  split(x: Tensor, sizes: number[], axis: number): Tensor[] {
    const a = axisOf(axis, x.shape.length);
    const shapes = sizes.map((s) => x.shape.map((d, i) => (i === a ? s : d)));
    return this.node('Split', [x], [this.g.ints(sizes)], { axis: a }, shapes, 'float32', { sizes });
  }

  /** x[start:end] along one axis (static bounds; end TO_END for the rest). */
  slice(x: Tensor, axis: number, start: number, end = TO_END): Tensor {
    const a = axisOf(axis, x.shape.length);
    const dim = x.shape[a]!;
    const size: Dim = end === TO_END ? (isStatic(dim) ? dim - start : `${dim}-${start}`) : end - start;
    const shape = x.shape.map((d, i) => (i === a ? size : d));
    return this.one('Slice', [x], shape, {}, [this.g.ints([start]), this.g.ints([end]), this.g.ints([a])], { axis: a, start, end });
  }

  /** Rows of `table` (axis 0) at int64 `indices`. */
  gather(table: Tensor, indices: Tensor): Tensor {
    return this.one('Gather', [table, indices], [...indices.shape, ...table.shape.slice(1)], { axis: 0 });
  }

  reduceSum(x: Tensor, axes: number[], keepdims = true): Tensor {
    return this.one('ReduceSum', [x], reduced(x.shape, axes, keepdims), { keepdims: keepdims ? 1 : 0 }, [this.g.ints(axes)], { axes });
  }

  reduceMean(x: Tensor, axes: number[], keepdims = true): Tensor {
    return this.one('ReduceMean', [x], reduced(x.shape, axes, keepdims), { keepdims: keepdims ? 1 : 0 }, [this.g.ints(axes)], { axes });
  }

  softmax(x: Tensor): Tensor {
    return this.one('Softmax', [x], x.shape, { axis: -1 });
  }

  /** nn.LayerNorm over the last axis; Mean and InvStdDev are kept for the backward pass. */
  layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps: number): Tensor {
    const stats = [...x.shape.slice(0, -1), 1];
    const [y] = this.node('LayerNormalization', [x, weight, bias], [], { axis: -1, epsilon: float(eps), stash_type: 1 }, [x.shape, stats, stats], 'float32', {
      eps,
    });
    return y!;
  }

  /**
   * Mean cross-entropy as nanoVLM computes it, on rows already picked: −Σ_r w_r · log softmax(z_r)[y_r],
   * with w_r = 1/(labelled rows) for real rows and 0 for padding rows. labels int64 [R], weights [R].
   */
  crossEntropy(logits: Tensor, labels: Tensor, weights: Tensor): Tensor {
    const logProbs = this.one('LogSoftmax', [logits], logits.shape, { axis: -1 });
    const picked = this.one('GatherElements', [logProbs, this.reshapeInts(labels, [-1, 1])], [logits.shape[0]!, 1], { axis: 1 });
    const weighted = this.mul(this.reshape(picked, [-1]), weights);
    return this.neg(this.reduceSum(weighted, [0], false));
  }

  private reshapeInts(x: Tensor, target: number[]): Tensor {
    const name = this.g.op('Reshape', [x.name, this.g.ints(target)]);
    return { name, shape: target.map((d) => (d === -1 ? x.shape[0]! : d)), dtype: 'int64' };
  }

  // Ops the backward pass uses (not differentiated themselves).

  /** Zeros shaped like x (its shape read at run time). */
  zerosLike(x: Tensor): Tensor {
    const shape = this.g.op('Shape', [x.name]);
    return { name: this.g.op('ConstantOfShape', [shape]), shape: x.shape, dtype: 'float32' };
  }

  /** dy broadcast back to x's shape (read at run time). */
  expandLike(dy: Tensor, x: Tensor): Tensor {
    return { name: this.g.op('Expand', [dy.name, this.g.op('Shape', [x.name])]), shape: x.shape, dtype: 'float32' };
  }

  /** x reshaped to y's shape, read at run time. */
  reshapeLike(x: Tensor, like: Tensor): Tensor {
    return { name: this.g.op('Reshape', [x.name, this.g.op('Shape', [like.name])]), shape: like.shape, dtype: 'float32' };
  }

  /** Rows `updates` added into `data` at int64 `indices` [N, 1] (duplicates add up). */
  scatterAddRows(data: Tensor, indices: Tensor, updates: Tensor): Tensor {
    return { name: this.g.op('ScatterND', [data.name, indices.name, updates.name], { reduction: 'add' }), shape: data.shape, dtype: 'float32' };
  }

  /** An untracked op (the backward pass's own arithmetic). */
  raw(op: string, inputs: string[], shape: Shape, attrs: Record<string, AttrValue> = {}, dtype: DType = 'float32'): Tensor {
    return { name: this.g.op(op, inputs, attrs), shape, dtype };
  }

  /** The second output (Mean) and third (InvStdDev) of a recorded LayerNormalization. */
  static layerNormStats(entry: TapeEntry): [Tensor, Tensor] {
    return [entry.outputs[1]!, entry.outputs[2]!];
  }
}

function reduced(shape: Shape, axes: number[], keepdims: boolean): Dim[] {
  const set = new Set(axes.map((a) => axisOf(a, shape.length)));
  return keepdims ? shape.map((d, i) => (set.has(i) ? 1 : d)) : shape.filter((_, i) => !set.has(i));
}
