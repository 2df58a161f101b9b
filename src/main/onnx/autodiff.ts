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
import type { Tensor, TensorGraph } from './tensor-graph';

/** ∂loss/∂t for each tensor of `wrt` that the loss depends on (the others are absent). */
export function gradients(tg: TensorGraph, loss: Tensor, wrt: readonly Tensor[]): Map<Tensor, Tensor> {
  const entries = [...tg.tape];
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
      grads.set(name, accumulate(tg, grads.get(name), g, entry.inputs[k]!));
    });
  }
  const out = new Map<Tensor, Tensor>();
  for (const t of wrt) {
    const g = grads.get(t.name);
    if (g) out.set(t, densify(tg, g, t));
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

function densify(tg: TensorGraph, g: Gradient, of: Tensor): Tensor {
  return g.dense ?? addRows(tg, tg.zerosLike(of), g.sparse!);
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
