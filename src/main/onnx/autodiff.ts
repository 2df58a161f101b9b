// Reverse-mode differentiation of a TensorGraph: walks the recorded ops from the loss back to the
// tensors asked for, applying each op's gradient rule (gradient-rules.ts), and sums the gradients
// of tensors used more than once. Only ops between the asked-for tensors and the loss are
// differentiated, so a frozen part of the model (an encoder whose weights are not asked for) has
// no backward pass and keeps none of its activations.
//
// Gradients of row lookups (the token embedding) stay sparse — rows and their updates — until
// they meet a dense gradient of the same tensor (the tied LM head's), into which they are added
// with one ScatterND: no vocabulary-sized zero tensor per step.
import { gradientRule, type Gradient, type SparseRows } from './gradient-rules';
export type { Gradient, SparseRows };
import type { Tensor, TensorGraph } from './tensor-graph';

/** ∂loss/∂t for each tensor of `wrt` that the loss depends on (the others are absent). */
export function gradients(tg: TensorGraph, loss: Tensor, wrt: readonly Tensor[]): Map<Tensor, Tensor> {
  return new Map([...gradientParts(tg, loss, wrt)].map(([t, g]) => [t, densify(tg, g, t)]));
}

/**
 * ∂loss/∂t for each tensor of `wrt`, its dense part and its looked-up rows kept apart: a tied
 * embedding's gradient is the head's dense gradient plus a few rows, which the CPU trainer adds
 * itself (a ScatterND into a vocabulary-sized tensor costs a tenth of a step in ONNX Runtime).
 */
export function gradientParts(tg: TensorGraph, loss: Tensor, wrt: readonly Tensor[]): Map<Tensor, Gradient> {
  const entries = [...tg.tape];
  const asked = new Set(wrt.map((t) => t.name));
  const needed = tensorsDependingOn(entries, wrt);
  const grads = new Map<string, Gradient>([[loss.name, { dense: tg.scalar(1) }]]);
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    const outGrads = entry.outputs.map((t) => grads.get(t.name));
    if (outGrads.every((g) => g === undefined)) continue;
    const wanted = entry.inputs.map((t) => needed.has(t.name));
    if (!wanted.some(Boolean)) continue;
    const inputGrads = tg.scope(`grad/${entry.op}`, () =>
      gradientRule(entry.op)(
        tg,
        entry,
        outGrads.map((g, k) => g && densify(tg, g, entry.outputs[k]!)),
        wanted,
      ),
    );
    inputGrads.forEach((g, k) => {
      if (!g || !wanted[k]) return;
      const name = entry.inputs[k]!.name;
      const of = entry.inputs[k]!;
      grads.set(name, asked.has(name) ? accumulateParts(tg, grads.get(name), g, of) : accumulate(tg, grads.get(name), g, of));
    });
  }
  const out = new Map<Tensor, Gradient>();
  for (const t of wrt) {
    const g = grads.get(t.name);
    if (g) out.set(t, g);
  }
  return out;
}

/** Names of the tensors computed from any of `wrt` (and `wrt` themselves). */
function tensorsDependingOn(entries: readonly { inputs: Tensor[]; outputs: Tensor[] }[], wrt: readonly Tensor[]): Set<string> {
  const needed = new Set(wrt.map((t) => t.name));
  for (const entry of entries) {
    if (entry.inputs.some((t) => needed.has(t.name))) for (const t of entry.outputs) needed.add(t.name);
  }
  return needed;
}

function accumulate(tg: TensorGraph, existing: Gradient | undefined, next: Gradient, of: Tensor): Gradient {
  if (!existing) return next;
  if (existing.sparse && next.sparse) return { sparse: joinRows(tg, existing.sparse, next.sparse) };
  if (existing.sparse) return { dense: addRows(tg, next.dense!, existing.sparse) };
  if (next.sparse) return { dense: addRows(tg, existing.dense!, next.sparse) };
  return { dense: tg.raw('Add', [existing.dense!.name, next.dense!.name], of.shape) };
}

/** Dense parts summed, sparse parts joined, each kind apart (the asked-for tensors are never read on the way). */
function accumulateParts(tg: TensorGraph, existing: Gradient | undefined, next: Gradient, of: Tensor): Gradient {
  if (!existing) return next;
  const join = <T>(a: T | undefined, b: T | undefined, both: (a: T, b: T) => T): T | undefined => (a && b ? both(a, b) : (a ?? b));
  return {
    dense: join(existing.dense, next.dense, (a, b) => tg.raw('Add', [a.name, b.name], of.shape)),
    sparse: join(existing.sparse, next.sparse, (a, b) => joinRows(tg, a, b)),
  };
}

/** The whole gradient as one tensor: its rows added into its dense part (or into zeros). */
export function densify(tg: TensorGraph, g: Gradient, of: Tensor): Tensor {
  if (!g.sparse) return g.dense!;
  return addRows(tg, g.dense ?? tg.zerosLike(of), g.sparse);
}

function addRows(tg: TensorGraph, dense: Tensor, rows: SparseRows): Tensor {
  return tg.scatterAddRows(dense, rows.indices, rows.updates);
}

function joinRows(tg: TensorGraph, a: SparseRows, b: SparseRows): SparseRows {
  return {
    indices: tg.raw('Concat', [a.indices.name, b.indices.name], ['rows', 1], { axis: 0 }, 'int64'),
    updates: tg.raw('Concat', [a.updates.name, b.updates.name], ['rows', a.updates.shape[1]!], { axis: 0 }),
  };
}
