// What the graph builders read: the model's family and config plus its parameters by nanoVLM name.
// A Checkpoint satisfies it; the benchmark passes random weights of the real shapes.
import type { ModelSpec } from '../model/config';

export interface ModelWeights extends ModelSpec {
  /** float32 data of a parameter by nanoVLM name (e.g. "decoder.blocks.0.attn.q_proj.weight") */
  read(name: string): Float32Array;
}
