// The decoder's key/value cache, one form per CacheLayout of the graph (decoder-io.ts):
//  - PositionsKvCache ('positions', the CPU's fused graph): per layer and key/value one buffer
//    [capacity, kv·hd], position-major, of which the graph gets a view of the positions held
//    ([1, length, kv·hd]: no copy, and no cost for the spare rows); it grows by an eighth (at least
//    32 positions) when full, a copy of what it holds. The graph returns only the positions a run
//    appended (all layers in one tensor), which are copied in. The Node binding
//    copies every output it returns, so returning the whole cache per token would cost more than
//    the attention itself.
//  - HeadsKvCache ('heads', the GPU providers' fused graph): one preallocated buffer per tensor,
//    [1, kv, capacity, hd], is the past input; appended positions come back the same way. Its
//    capacity stays close to the length: GroupQueryAttention zero-fills a present buffer of the
//    past input's whole capacity on every run (measured on the CPU: ≈17 µs per spare position per
//    token at nanoVLM-222M), so it grows by an eighth (at least 32 positions) when full.
//  - ConcatKvCache ('concat', the plain graph): the present tensors of a run are fed back as the next past.
import * as ort from 'onnxruntime-node';
import { APPENDED_KV, pastKey, pastValue, presentKey, presentValue, type CacheLayout } from '../onnx/decoder-io';

export interface CacheShape {
  layers: number;
  kvHeads: number;
  headDim: number;
}

/** What the code around a decoder sees of a cache: how many positions it holds, and cutting it. */
export interface DecoderCache {
  /** positions held */
  readonly length: number;
  /** keep only the first `length` positions (a prompt that shares them runs from there) */
  truncate(length: number): void;
}

export interface KvCache extends DecoderCache {
  /** add the past inputs (and, for a shared cache, the present outputs) for a run reaching `total` positions */
  bind(feeds: Record<string, ort.Tensor>, fetches: Record<string, ort.Tensor | null>, total: number): void;
  /** take the run's results; the cache now holds `total` positions */
  update(outputs: Record<string, ort.OnnxValue>, total: number): void;
}

export class ConcatKvCache implements KvCache {
  length = 0;
  private keys: ort.Tensor[];
  private values: ort.Tensor[];

  constructor(private readonly shape: CacheShape) {
    const empty = () => new ort.Tensor('float32', new Float32Array(0), [1, shape.kvHeads, 0, shape.headDim]);
    this.keys = Array.from({ length: shape.layers }, empty);
    this.values = Array.from({ length: shape.layers }, empty);
  }

  bind(feeds: Record<string, ort.Tensor>, fetches: Record<string, ort.Tensor | null>): void {
    for (let i = 0; i < this.shape.layers; i++) {
      feeds[pastKey(i)] = this.keys[i]!;
      feeds[pastValue(i)] = this.values[i]!;
      fetches[presentKey(i)] = null;
      fetches[presentValue(i)] = null;
    }
  }

  update(outputs: Record<string, ort.OnnxValue>, total: number): void {
    for (let i = 0; i < this.shape.layers; i++) {
      this.keys[i] = outputs[presentKey(i)] as ort.Tensor;
      this.values[i] = outputs[presentValue(i)] as ort.Tensor;
    }
    this.length = total;
  }

  truncate(length: number): void {
    if (length >= this.length) return;
    const { kvHeads, headDim } = this.shape;
    const cut = (t: ort.Tensor) => {
      const from = t.data as Float32Array;
      const data = new Float32Array(kvHeads * length * headDim);
      for (let h = 0; h < kvHeads; h++) data.set(from.subarray(h * this.length * headDim, (h * this.length + length) * headDim), h * length * headDim);
      return new ort.Tensor('float32', data, [1, kvHeads, length, headDim]);
    };
    this.keys = this.keys.map(cut);
    this.values = this.values.map(cut);
    this.length = length;
  }
}

/** Capacity steps: multiples of this many positions. */
const CAPACITY_STEP = 32;

/** The capacity for `total` positions when `current` is full: an eighth more, in whole steps. */
export function grownCapacity(current: number, total: number, maxPositions: number): number {
  const wanted = Math.max(total, current + Math.ceil(current / 8));
  return Math.min(maxPositions, Math.ceil(wanted / CAPACITY_STEP) * CAPACITY_STEP);
}

/**
 * A fused graph's cache: per layer and key/value one buffer of `capacity` positions that the graph
 * reads as its past, grown by an eighth when full and shrunk when cut far back; each run's
 * appended positions (all layers in one output) are copied in. The layouts differ in where a
 * position's rows sit in a buffer.
 */
abstract class PreallocatedKvCache implements KvCache {
  length = 0;
  protected capacity = 0;
  private keys: Float32Array[] = [];
  private values: Float32Array[] = [];

  /** `initialPositions`: the first run's length (the prompt), so that the first run does not grow it */
  constructor(
    protected readonly shape: CacheShape,
    private readonly maxPositions: number,
    initialPositions = CAPACITY_STEP,
  ) {
    this.grow(grownCapacity(0, Math.max(1, initialPositions), maxPositions));
  }

  get positionsAllocated(): number {
    return this.capacity;
  }

  /** The past input the graph reads from a buffer. */
  protected abstract past(buffer: Float32Array): ort.Tensor;
  /** appended_kv's dims for a run of `count` positions */
  protected abstract appendedDims(count: number): number[];
  /** Copy a run's `count` new positions of one tensor (appended_kv's layout) into the buffer at [length, length + count). */
  protected abstract append(buffer: Float32Array, from: Float32Array, count: number): void;
  /** Copy the positions held from a buffer of `this.capacity` positions into one of `capacity`. */
  protected abstract copyHeld(from: Float32Array, to: Float32Array, capacity: number): void;

  bind(feeds: Record<string, ort.Tensor>, fetches: Record<string, ort.Tensor | null>, total: number): void {
    if (total > this.maxPositions) throw new Error(`sequence of ${total} positions exceeds the model's ${this.maxPositions} (lm_max_position_embeddings)`);
    if (total > this.capacity) this.grow(grownCapacity(this.capacity, total, this.maxPositions));
    for (let i = 0; i < this.shape.layers; i++) {
      feeds[pastKey(i)] = this.past(this.keys[i]!);
      feeds[pastValue(i)] = this.past(this.values[i]!);
    }
    fetches[APPENDED_KV] = null;
  }

  update(outputs: Record<string, ort.OnnxValue>, total: number): void {
    const packed = outputs[APPENDED_KV] as ort.Tensor;
    const count = total - this.length;
    const expected = this.appendedDims(count);
    if (packed.dims.length !== expected.length || packed.dims.some((d, i) => d !== expected[i])) {
      throw new Error(`the decoder appended [${packed.dims.join(', ')}], expected [${expected.join(', ')}]`);
    }
    const perTensor = this.shape.kvHeads * count * this.shape.headDim;
    const data = packed.data as Float32Array;
    for (let i = 0; i < this.shape.layers; i++) {
      this.append(this.keys[i]!, data.subarray(2 * i * perTensor, (2 * i + 1) * perTensor), count);
      this.append(this.values[i]!, data.subarray((2 * i + 1) * perTensor, (2 * i + 2) * perTensor), count);
    }
    this.length = total;
  }

  truncate(length: number): void {
    // positions past `length` are simply overwritten by the next run; a buffer left far larger than
    // what it holds is shrunk (GroupQueryAttention pays for its whole capacity on every run)
    this.length = Math.min(this.length, length);
    const fitting = grownCapacity(0, Math.max(1, this.length), this.maxPositions);
    if (this.capacity > 2 * fitting) this.grow(fitting);
  }

  /** New buffers of `capacity` positions, holding the positions cached so far. */
  private grow(capacity: number): void {
    const resize = (old: Float32Array | undefined) => {
      const data = new Float32Array(this.shape.kvHeads * capacity * this.shape.headDim);
      if (old) this.copyHeld(old, data, capacity);
      return data;
    };
    this.keys = Array.from({ length: this.shape.layers }, (_, i) => resize(this.keys[i]));
    this.values = Array.from({ length: this.shape.layers }, (_, i) => resize(this.values[i]));
    this.capacity = capacity;
  }
}

/** 'heads': [1, kv, capacity, hd], the whole buffer as the past (the mask says how much counts). */
export class HeadsKvCache extends PreallocatedKvCache {
  protected past(buffer: Float32Array): ort.Tensor {
    return new ort.Tensor('float32', buffer, [1, this.shape.kvHeads, this.capacity, this.shape.headDim]);
  }

  protected appendedDims(count: number): number[] {
    return [2 * this.shape.layers, this.shape.kvHeads, count, this.shape.headDim];
  }

  protected append(buffer: Float32Array, from: Float32Array, count: number): void {
    const { kvHeads, headDim } = this.shape;
    for (let h = 0; h < kvHeads; h++) {
      buffer.set(from.subarray(h * count * headDim, (h + 1) * count * headDim), (h * this.capacity + this.length) * headDim);
    }
  }

  protected copyHeld(from: Float32Array, to: Float32Array, capacity: number): void {
    const { kvHeads, headDim } = this.shape;
    for (let h = 0; h < kvHeads; h++) {
      to.set(from.subarray(h * this.capacity * headDim, (h * this.capacity + this.length) * headDim), h * capacity * headDim);
    }
  }
}

/** 'positions': [capacity, kv·hd], a view of the rows held as the past ([1, length, kv·hd]). */
export class PositionsKvCache extends PreallocatedKvCache {
  private get rowWidth(): number {
    return this.shape.kvHeads * this.shape.headDim;
  }

  protected past(buffer: Float32Array): ort.Tensor {
    return new ort.Tensor('float32', buffer.subarray(0, this.length * this.rowWidth), [1, this.length, this.rowWidth]);
  }

  protected appendedDims(count: number): number[] {
    return [2 * this.shape.layers, count, this.rowWidth];
  }

  protected append(buffer: Float32Array, from: Float32Array): void {
    buffer.set(from, this.length * this.rowWidth);
  }

  protected copyHeld(from: Float32Array, to: Float32Array): void {
    to.set(from.subarray(0, this.length * this.rowWidth));
  }
}

/** The cache a graph of that layout takes. */
export function newKvCache(layout: CacheLayout, shape: CacheShape, maxPositions: number, firstRunPositions: number): KvCache {
  if (layout === 'positions') return new PositionsKvCache(shape, maxPositions, firstRunPositions);
  if (layout === 'heads') return new HeadsKvCache(shape, maxPositions, firstRunPositions);
  return new ConcatKvCache(shape);
}
