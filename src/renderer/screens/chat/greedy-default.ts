// Whether a model should answer greedily unless the person says otherwise, and why. Sampling helps
// large models write varied prose; a tiny model, or one trained on short answers ("red", "3",
// "a circle"), mostly gets them wrong when it does not take its likeliest token.
import type { ModelInfo } from '../../../shared/models';

/** below this many parameters a model is tiny */
export const TINY_PARAMETERS = 100_000_000;

export function greedyReason(model: ModelInfo | undefined): string | undefined {
  if (!model) return undefined;
  const size = model.parameters >= 1e6 ? `${(model.parameters / 1e6).toFixed(model.parameters >= 1e7 ? 0 : 2)} M` : `${model.parameters.toLocaleString()}`;
  if (model.source === 'demo') return `the demo model is tiny (${size} parameters) and was trained on one- or two-word answers`;
  if (model.parameters < TINY_PARAMETERS) return `this model is tiny (${size} parameters): sampling mostly adds mistakes`;
  if (model.source === 'run') return 'it was fine-tuned here on question–answer pairs, whose answers are short';
  return undefined;
}
