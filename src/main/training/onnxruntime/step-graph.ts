// The training graphs of the ONNX Runtime engine, built from a model's config, the groups it
// trains, the batch's row count and its (bucketed) sequence length. The tile count and the number
// of labelled positions are named dimensions, known only when a step runs. (The length is fixed:
// with it named too, ONNX Runtime's memory planner takes minutes instead of seconds at 222M.)
//   step        parameters, moments, batch → loss, gradient norm, updated parameters and moments
//               (forward, backward, clipping and AdamW in one run: the gradients never leave it)
//   gradients   parameters, batch → loss, this batch's gradients and their global norm (a step's
//               first micro-batch: the gradients are written straight into the trainer's buffers,
//               with no zeros to add them to and no copy of them inside ONNX Runtime)
//   accumulate  parameters, batch, gradients so far → loss, gradients so far + this micro-batch's,
//               and the global norm of that sum
//               (both with `rowsApart`, for the CPU's AdamW kernel: a tied embedding's looked-up
//               rows come out apart from its dense gradient, the trainer adds them, and no norm)
//   norm        summed gradients → their global norm (after the trainer has added the rows)
//   apply       some of the parameters, their moments and summed gradients, the global norm →
//               those parameters and moments updated (run in chunks, so that the Node binding's
//               copies of the updated tensors never hold more than a chunk's worth at once)
//   loss        parameters, batch → loss (no backward pass)
// Parameters of frozen groups are inputs like the others, but nothing differentiates them.
import type { OptimizerSettings, ParameterGroupName } from '../../../shared/training';
import { lmHeadDim, type ModelSpec } from '../../model/config';
import { imagesBeforeText } from '../../model/family';
import { sequencePositions } from './step-feeds';
import { parameterGroup, storedParameterShapes } from '../../model/parameters';
import { densify, gradientParts, type SparseRows } from '../../onnx/autodiff';
import { GraphBuilder } from '../../onnx/graph-builder';
import { encodeModel } from '../../onnx/onnx-proto';
import { TensorGraph, type Tensor } from '../../onnx/tensor-graph';
import { adamwUpdate, globalNorm, GROUP_SCALARS, MAX_GRAD_NORM_INPUT, momentInput, scalarInput, type TrainedParameter } from './adamw-graph';
import { paramsFrom } from './model/parameters';
import { trainingLoss, type BatchInputs } from './model/vision-language-model';

export type StepGraphKind = 'step' | 'gradients' | 'accumulate' | 'apply' | 'norm' | 'loss';

export interface StepGraphOptions {
  spec: ModelSpec;
  kind: StepGraphKind;
  /** sequences per batch */
  rows: number;
  /** the optimiser groups that train (learning rate above 0) */
  trainedGroups: readonly ParameterGroupName[];
  optimizer: Pick<OptimizerSettings, 'beta1' | 'beta2' | 'eps'>;
  /** the batch's sequence length (after padding to a bucket) */
  length: number;
  /** apply: the trained parameters this graph updates (default: all) */
  chunk?: readonly string[];
  /** gradients, accumulate: a gradient's rows apart from its dense part, where it has both */
  rowsApart?: boolean;
}

/** Names of the graph's inputs and outputs, shared with the trainer that feeds it. */
export const STEP_IO = {
  pixels: 'pixel_values',
  inputIds: 'input_ids',
  mergeIndex: 'merge_index',
  ropeCos: 'rope_cos',
  ropeSin: 'rope_sin',
  bias: 'attention_bias',
  labelRows: 'label_rows',
  labels: 'labels',
  labelWeights: 'label_weights',
  loss: 'loss',
  gradNorm: 'grad_norm',
  updated: (name: string) => `updated.${name}`,
  gradIn: (name: string) => `grad.${name}`,
  gradOut: (name: string) => `grad_sum.${name}`,
  /** rowsApart: the rows to add to grad_sum (int64 [rows, 1]) and what to add to them ([rows, width]) */
  gradRowIndices: (name: string) => `grad_row_indices.${name}`,
  gradRows: (name: string) => `grad_rows.${name}`,
} as const;
export { MAX_GRAD_NORM_INPUT, momentInput, scalarInput };

/** Refuse, naming the dimension, a model whose shapes these graphs cannot express. */
export function checkTrainable(spec: ModelSpec): void {
  const c = spec.config;
  const hd = lmHeadDim(c);
  if (hd % 2 !== 0) throw new Error(`lm_hidden_dim / lm_n_heads = ${hd}: RoPE rotates the two halves of each head, so the head size must be even`);
  if (c.vit_img_size % c.vit_patch_size !== 0) throw new Error(`vit_img_size ${c.vit_img_size} is not a multiple of vit_patch_size ${c.vit_patch_size}`);
}

export function buildStepGraph(options: StepGraphOptions): Uint8Array {
  const { spec, kind } = options;
  checkTrainable(spec);
  const c = spec.config;
  const tg = new TensorGraph(new GraphBuilder(`nanovlm_train_${kind}`));
  const shapes = storedParameterShapes(c);
  const trainedNames = [...shapes.keys()].filter((n) => options.trainedGroups.includes(parameterGroup(n)));
  if (kind !== 'loss' && trainedNames.length === 0) throw new Error('every parameter group is frozen (all learning rates are 0)');
  if (kind === 'norm') {
    tg.output(
      globalNorm(
        tg,
        trainedNames.map((name) => tg.input(STEP_IO.gradIn(name), shapes.get(name)!)),
      ),
      STEP_IO.gradNorm,
    );
    return encode(tg);
  }
  const params = new Map<string, Tensor>([...shapes].map(([name, shape]) => [name, tg.input(name, shape)]));

  let grads = new Map<string, Tensor>();
  const rows = new Map<string, SparseRows>();
  let norm: Tensor | undefined;
  if (kind === 'apply') {
    const chunk = options.chunk ?? trainedNames;
    for (const name of chunk) grads.set(name, tg.input(STEP_IO.gradIn(name), shapes.get(name)!));
    norm = tg.input(STEP_IO.gradNorm, []);
  } else {
    const loss = trainingLoss(tg, spec, paramsFrom(params), batchInputs(tg, options));
    tg.output(loss, STEP_IO.loss);
    if (kind === 'loss') return encode(tg);
    const rowsApart = options.rowsApart && (kind === 'gradients' || kind === 'accumulate');
    const parts = gradientParts(
      tg,
      loss,
      trainedNames.map((n) => params.get(n)!),
    );
    for (const name of trainedNames) {
      const param = params.get(name)!;
      const g = parts.get(param);
      if (rowsApart && g?.dense && g.sparse) {
        grads.set(name, g.dense);
        rows.set(name, g.sparse);
      } else grads.set(name, g ? densify(tg, g, param) : tg.zerosLike(param));
    }
  }

  if (kind === 'gradients' || kind === 'accumulate') {
    const sums = trainedNames.map((name) =>
      kind === 'gradients' ? grads.get(name)! : tg.add(tg.input(STEP_IO.gradIn(name), shapes.get(name)!), grads.get(name)!),
    );
    sums.forEach((sum, i) => tg.output(sum, STEP_IO.gradOut(trainedNames[i]!)));
    for (const [name, r] of rows) {
      tg.output(r.indices, STEP_IO.gradRowIndices(name));
      tg.output(r.updates, STEP_IO.gradRows(name));
    }
    if (!options.rowsApart) tg.output(globalNorm(tg, sums), STEP_IO.gradNorm);
    return encode(tg);
  }

  const trained: TrainedParameter[] = [...grads.keys()].map((name) => ({
    name,
    group: parameterGroup(name),
    value: params.get(name)!,
    grad: grads.get(name)!,
    expAvg: tg.input(momentInput('exp_avg', name), shapes.get(name)!),
    expAvgSq: tg.input(momentInput('exp_avg_sq', name), shapes.get(name)!),
  }));
  const scalars = new Map<string, Tensor>();
  const groupScalar = (scalar: (typeof GROUP_SCALARS)[number], group: ParameterGroupName): Tensor => {
    const name = scalarInput(scalar, group);
    if (!scalars.has(name)) scalars.set(name, tg.input(name, []));
    return scalars.get(name)!;
  };
  if (!norm) {
    norm = globalNorm(
      tg,
      trained.map((p) => p.grad),
    );
    tg.output(norm, STEP_IO.gradNorm);
  }
  const updated = adamwUpdate(tg, trained, norm, groupScalar, tg.input(MAX_GRAD_NORM_INPUT, []), options.optimizer);
  for (const [name, u] of updated) {
    tg.output(u.value, STEP_IO.updated(name));
    tg.output(u.expAvg, STEP_IO.updated(momentInput('exp_avg', name)));
    tg.output(u.expAvgSq, STEP_IO.updated(momentInput('exp_avg_sq', name)));
  }
  return encode(tg);
}

/** The batch's inputs: sizes known only at run time are named. */
function batchInputs(tg: TensorGraph, { spec, rows, length }: StepGraphOptions): BatchInputs {
  const c = spec.config;
  const S = c.vit_img_size;
  const positions = sequencePositions(spec, length);
  return {
    pixels: tg.input(STEP_IO.pixels, ['tiles', 3, S, S]),
    inputIds: tg.input(STEP_IO.inputIds, [rows, length], 'int64'),
    mergeIndex: imagesBeforeText(spec.family) ? undefined : tg.input(STEP_IO.mergeIndex, [rows * length], 'int64'),
    attention: {
      cos: tg.input(STEP_IO.ropeCos, [positions, lmHeadDim(c)]),
      sin: tg.input(STEP_IO.ropeSin, [positions, lmHeadDim(c)]),
      bias: tg.input(STEP_IO.bias, [rows, 1, positions, positions]),
    },
    labelRows: tg.input(STEP_IO.labelRows, ['labelled'], 'int64'),
    labels: tg.input(STEP_IO.labels, ['labelled'], 'int64'),
    labelWeights: tg.input(STEP_IO.labelWeights, ['labelled']),
  };
}

function encode(tg: TensorGraph): Uint8Array {
  return encodeModel(tg.g.toModel({ '': 21 }));
}
