// nanoVLM's optimiser step as graph ops, in the TF.js trainer's exact order of operations: clip the
// gradients to a global norm over every trained parameter, then AdamW (PyTorch's defaults) with
// each group's step size, decay and bias correction given as scalar inputs, so one graph serves
// every step of the schedule.
import type { OptimizerSettings, ParameterGroupName } from '../../../shared/training';
import type { Tensor, TensorGraph } from '../../onnx/tensor-graph';

/** Per group, what the schedule and the step count decide (computed by the trainer each step). */
export const GROUP_SCALARS = ['step_size', 'decay', 'bias2_sqrt'] as const;
export const scalarInput = (name: (typeof GROUP_SCALARS)[number], group: ParameterGroupName): string => `${name}.${group}`;
export const MAX_GRAD_NORM_INPUT = 'max_grad_norm';
export const momentInput = (kind: 'exp_avg' | 'exp_avg_sq', name: string): string => `${kind}.${name}`;

export interface TrainedParameter {
  name: string;
  group: ParameterGroupName;
  value: Tensor;
  grad: Tensor;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

export interface Updated {
  value: Tensor;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

/**
 * √(Σ over every gradient of Σ g²), torch.nn.utils.clip_grad_norm_'s total norm. Each gradient is
 * viewed flat first: ONNX Runtime reduces a 1-D tensor about 20× faster than a matrix over all axes.
 */
export function globalNorm(tg: TensorGraph, grads: readonly Tensor[]): Tensor {
  const squares = grads.map((g) => tg.raw('ReduceSumSquare', [tg.raw('Reshape', [g.name, tg.g.ints([-1])], ['n']).name], [], { keepdims: 0 }));
  return tg.sqrt(
    squares.length === 1
      ? squares[0]!
      : tg.raw(
          'Sum',
          squares.map((s) => s.name),
          [],
        ),
  );
}

/**
 * Clip (scale by c = min(1, max / (norm + 1e-6)); an infinite max never clips), then one AdamW
 * update of each parameter: m ← β1·m + (1−β1)·c·g; v ← β2·v + (1−β2)·c²·g²;
 * p ← p·decay − step_size · m / (√v / bias2_sqrt + ε).
 * Written for the fewest passes over parameter-sized tensors (each op reads and writes all of
 * them; the step is bound by memory, not arithmetic): the clip factor folds into the moments'
 * scalars, and step_size · m / (√v / b + ε) = (step_size·b) · m / (√v + ε·b). 13 passes, not 15.
 */
export function adamwUpdate(
  tg: TensorGraph,
  params: readonly TrainedParameter[],
  norm: Tensor,
  groupScalar: (name: (typeof GROUP_SCALARS)[number], group: ParameterGroupName) => Tensor,
  maxNorm: Tensor,
  o: Pick<OptimizerSettings, 'beta1' | 'beta2' | 'eps'>,
): Map<string, Updated> {
  const clip = tg.min(tg.scalar(1), tg.div(maxNorm, tg.add(norm, tg.scalar(1e-6))));
  const gradScale = tg.scale(clip, 1 - o.beta1);
  const squareScale = tg.scale(tg.mul(clip, clip), 1 - o.beta2);
  const perGroup = new Map<ParameterGroupName, { eps: Tensor; stepSize: Tensor }>();
  const groupTerms = (group: ParameterGroupName) => {
    if (!perGroup.has(group)) {
      const b = groupScalar('bias2_sqrt', group);
      perGroup.set(group, { eps: tg.scale(b, o.eps), stepSize: tg.mul(groupScalar('step_size', group), b) });
    }
    return perGroup.get(group)!;
  };
  const out = new Map<string, Updated>();
  for (const p of params) {
    tg.scope(`adamw/${p.name}`, () => {
      const { eps, stepSize } = groupTerms(p.group);
      const expAvg = tg.add(tg.scale(p.expAvg, o.beta1), tg.mul(p.grad, gradScale));
      const expAvgSq = tg.add(tg.scale(p.expAvgSq, o.beta2), tg.mul(tg.mul(p.grad, p.grad), squareScale));
      const ratio = tg.div(expAvg, tg.add(tg.sqrt(expAvgSq), eps));
      const value = tg.sub(tg.mul(p.value, groupScalar('decay', p.group)), tg.mul(ratio, stepSize));
      out.set(p.name, { value, expAvg, expAvgSq });
    });
  }
  return out;
}
