// Where AdamW keeps a parameter's moments: as tf.Variables on the engine (fast, the default), or in
// host memory (Float32Arrays) uploaded for the update alone. The wasm engine's heap is capped at
// 4 GB and the two moments of nanoVLM-222M's decoder take 1.1 GB of it: kept outside, they leave
// room for a trained vision encoder or a larger batch. The arithmetic is the same tf ops either way.
import * as tf from '@tensorflow/tfjs';

export interface MomentStore {
  readonly shape: number[];
  /** the moment as a tensor, valid until release() (or replace()) */
  tensor(): tf.Tensor;
  /** the moment becomes `value` (ownership taken; it stays readable through tensor() until release()) */
  replace(value: tf.Tensor): void;
  /** the update is done: free what tensor() uploaded */
  release(): void;
  data(): Promise<Float32Array>;
  dispose(): void;
}

export class VariableMoment implements MomentStore {
  private readonly variable: tf.Variable;

  constructor(initial: tf.Tensor) {
    this.variable = tf.variable(initial.clone(), false);
  }

  get shape(): number[] {
    return this.variable.shape;
  }

  tensor(): tf.Tensor {
    return this.variable;
  }

  replace(value: tf.Tensor): void {
    this.variable.assign(value);
    value.dispose();
  }

  release(): void {}

  async data(): Promise<Float32Array> {
    return (await this.variable.data()) as Float32Array;
  }

  dispose(): void {
    this.variable.dispose();
  }
}

export class HostMoment implements MomentStore {
  private readonly values: Float32Array;
  private uploaded: tf.Tensor | undefined;

  constructor(initial: tf.Tensor) {
    this.shape = initial.shape;
    this.values = Float32Array.from(initial.dataSync() as Float32Array);
  }

  readonly shape: number[];

  tensor(): tf.Tensor {
    this.uploaded ??= tf.tensor(this.values, this.shape, 'float32');
    return this.uploaded;
  }

  replace(value: tf.Tensor): void {
    this.values.set(value.dataSync() as Float32Array);
    if (this.uploaded !== value) this.uploaded?.dispose();
    this.uploaded = value;
  }

  release(): void {
    this.uploaded?.dispose();
    this.uploaded = undefined;
  }

  async data(): Promise<Float32Array> {
    return this.values;
  }

  dispose(): void {
    this.release();
  }
}

export type MomentPlace = 'engine' | 'host';

export function createMoment(initial: tf.Tensor, place: MomentPlace): MomentStore {
  return place === 'host' ? new HostMoment(initial) : new VariableMoment(initial);
}
