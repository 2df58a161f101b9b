// torch.optim.AdamW (PyTorch defaults β 0.9/0.999, ε 1e-8, weight decay 0.01, no amsgrad),
// decaying every parameter it is given, norms and biases included, as nanoVLM's train.py does:
//   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//   p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε)
// The bias corrections are computed in double precision, as Python does. The moments live on the
// engine or in host memory (adamw-moments.ts).
import * as tf from '@tensorflow/tfjs';
import { createMoment, type MomentPlace, type MomentStore } from './adamw-moments';

export interface AdamWHyperparameters {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export interface AdamWParameterState {
  step: number;
  expAvg: MomentStore;
  expAvgSq: MomentStore;
}

/** Applies each op to the previous result, disposing every intermediate (never `x`) once used. */
function pipe(x: tf.Tensor, ...ops: ((t: tf.Tensor) => tf.Tensor)[]): tf.Tensor {
  let current = x;
  for (const op of ops) {
    const next = op(current);
    if (current !== x) current.dispose();
    current = next;
  }
  return current;
}

/** variable ← value (the variable takes the buffer; `value` is released). */
function assignFrom(variable: tf.Variable, value: tf.Tensor): void {
  variable.assign(value);
  value.dispose();
}

export class AdamW {
  readonly state = new Map<string, AdamWParameterState>();

  constructor(
    readonly hyper: AdamWHyperparameters,
    readonly momentPlace: MomentPlace = 'engine',
  ) {}

  private stateOf(name: string, param: tf.Variable): AdamWParameterState {
    let s = this.state.get(name);
    if (!s) {
      // the zeros must not outlive the moments' creation (they would share and keep a buffer)
      const zeros = tf.zerosLike(param);
      s = { step: 0, expAvg: createMoment(zeros, this.momentPlace), expAvgSq: createMoment(zeros, this.momentPlace) };
      zeros.dispose();
      this.state.set(name, s);
    }
    return s;
  }

  /** One update of one parameter in place. */
  update(name: string, param: tf.Variable, grad: tf.Tensor, lr: number): void {
    const { beta1, beta2, eps, weightDecay } = this.hyper;
    const s = this.stateOf(name, param);
    s.step += 1;
    const stepSize = lr / (1 - beta1 ** s.step);
    const bias2Sqrt = Math.sqrt(1 - beta2 ** s.step);
    // Same operations in the same order as one tidy, but each intermediate is freed as soon as it
    // is used: a tidy would hold ~9 parameter-sized temporaries (1 GB for the 49k×576 embedding).
    s.expAvg.replace(
      pipe(
        s.expAvg.tensor(),
        (t) => t.mul(beta1),
        (t) => tf.tidy(() => t.add(grad.mul(1 - beta1))),
      ),
    );
    s.expAvgSq.replace(
      pipe(
        s.expAvgSq.tensor(),
        (t) => t.mul(beta2),
        (t) => tf.tidy(() => t.add(grad.square().mul(1 - beta2))),
      ),
    );
    const denom = pipe(
      s.expAvgSq.tensor(),
      (t) => t.sqrt(),
      (t) => t.div(bias2Sqrt),
      (t) => t.add(eps),
    );
    s.expAvgSq.release();
    const update = pipe(
      s.expAvg.tensor(),
      (t) => t.div(denom),
      (t) => t.mul(stepSize),
    );
    s.expAvg.release();
    denom.dispose();
    assignFrom(
      param,
      pipe(
        param,
        (t) => t.mul(1 - lr * weightDecay),
        (t) => t.sub(update),
      ),
    );
    update.dispose();
  }

  /** Replace the state (resume); takes ownership of nothing: values are copied. */
  load(name: string, step: number, expAvg: tf.Tensor, expAvgSq: tf.Tensor): void {
    this.state.get(name)?.expAvg.dispose();
    this.state.get(name)?.expAvgSq.dispose();
    this.state.set(name, { step, expAvg: createMoment(expAvg, this.momentPlace), expAvgSq: createMoment(expAvgSq, this.momentPlace) });
  }

  dispose(): void {
    for (const s of this.state.values()) {
      s.expAvg.dispose();
      s.expAvgSq.dispose();
    }
    this.state.clear();
  }
}
