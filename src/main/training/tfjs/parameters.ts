// The model's parameters as tf.Variables under nanoVLM's names, loaded from any checkpoint, and
// their split into nanoVLM's three optimiser groups. With tied embeddings (every published
// checkpoint) the head and the token embedding are ONE variable, stored as decoder.head.weight
// and reachable under both names, so both uses add to one gradient, as in PyTorch.
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '../../model/checkpoint';
import { HEAD, parameterGroup, storedParameterShapes, TOKEN_EMBEDDING } from '../../model/parameters';
import type { Family, NanoVLMConfig } from '../../model/config';
import type { ParameterGroupName } from '../../../shared/training';
import type { VisionLanguageModel } from './model/vision-language-model';
import { weightsFromMap } from './model/weights';

export class ModelParameters {
  private constructor(
    readonly family: Family,
    readonly config: NanoVLMConfig,
    /** config.json as read (written back unchanged: filled-in defaults would change the family) */
    readonly rawConfig: Record<string, unknown>,
    /** stored name → variable */
    readonly variables: Map<string, tf.Variable>,
  ) {}

  /** Loads every parameter; `trained` decides which groups get gradients. */
  static fromCheckpoint(checkpoint: Checkpoint, trained: (group: ParameterGroupName) => boolean): ModelParameters {
    const variables = new Map<string, tf.Variable>();
    for (const [name, shape] of storedParameterShapes(checkpoint.config)) {
      const value = tf.tensor(checkpoint.read(name), shape, 'float32');
      variables.set(name, tf.variable(value, trained(parameterGroup(name))));
      value.dispose();
    }
    return new ModelParameters(checkpoint.family, checkpoint.config, checkpoint.rawConfig, variables);
  }

  /** The model as the forward functions see it (the tied embedding under its own name too). */
  model(): VisionLanguageModel {
    const byName = new Map<string, tf.Tensor>(this.variables);
    if (!byName.has(TOKEN_EMBEDDING)) byName.set(TOKEN_EMBEDDING, this.variables.get(HEAD)!);
    return { family: this.family, config: this.config, weights: weightsFromMap(byName) };
  }

  /** Trained parameters by stored name (each variable once). */
  trained(): Map<string, tf.Variable> {
    return new Map([...this.variables].filter(([, v]) => v.trainable));
  }

  /** Float32 values by stored name, for writing a checkpoint. */
  async values(): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, v] of this.variables) out.set(name, { shape: v.shape, data: (await v.data()) as Float32Array });
    return out;
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }
}
