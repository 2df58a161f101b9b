// The decoder's key/value cache, [1, kv, positions, hd] per layer and per key/value, in one of two
// forms chosen by the graph:
//  - SharedKvCache (fused graph): one preallocated buffer per tensor is bound both as the past input
//    and as the present output, so GroupQueryAttention writes the new positions in place
//    (its past/present shared-buffer mode): no copy of the cache per token. Grows by doubling.
//  - ConcatKvCache (plain graph): the present tensors of a run are fed back as the next past.
import * as ort from 'onnxruntime-node';
import { pastKey, pastValue, presentKey, presentValue } from '../onnx/decoder-io';

export interface CacheShape {
  layers: number;
  kvHeads: number;
  headDim: number;
}

export interface KvCache {
  /** positions held */
  readonly length: number;
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
}

export class SharedKvCache implements KvCache {
  length = 0;
  private capacity = 0;
  private keys: ort.Tensor[] = [];
  private values: ort.Tensor[] = [];

  constructor(private readonly shape: CacheShape, private readonly maxPositions: number, initialCapacity = 256) {
    this.grow(Math.min(initialCapacity, maxPositions));
  }

  bind(feeds: Record<string, ort.Tensor>, fetches: Record<string, ort.Tensor | null>, total: number): void {
    if (total > this.maxPositions) throw new Error(`sequence of ${total} positions exceeds the model's ${this.maxPositions} (lm_max_position_embeddings)`);
    if (total > this.capacity) this.grow(Math.min(this.maxPositions, Math.max(total, this.capacity * 2)));
    for (let i = 0; i < this.shape.layers; i++) {
      feeds[pastKey(i)] = this.keys[i]!;
      feeds[pastValue(i)] = this.values[i]!;
      fetches[presentKey(i)] = this.keys[i]!;
      fetches[presentValue(i)] = this.values[i]!;
    }
  }

  update(_outputs: Record<string, ort.OnnxValue>, total: number): void {
    this.length = total;
  }

  /** New buffers of `capacity` positions, holding the positions cached so far. */
  private grow(capacity: number): void {
    const { kvHeads, headDim } = this.shape;
    const resize = (old: ort.Tensor | undefined) => {
      const data = new Float32Array(kvHeads * capacity * headDim);
      if (old) {
        const from = old.data as Float32Array;
        for (let h = 0; h < kvHeads; h++) {
          data.set(from.subarray(h * this.capacity * headDim, (h * this.capacity + this.length) * headDim), h * capacity * headDim);
        }
      }
      return new ort.Tensor('float32', data, [1, kvHeads, capacity, headDim]);
    };
    this.keys = Array.from({ length: this.shape.layers }, (_, i) => resize(this.keys[i]));
    this.values = Array.from({ length: this.shape.layers }, (_, i) => resize(this.values[i]));
    this.capacity = capacity;
  }
}
