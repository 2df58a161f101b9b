// What the studio knows of where a model came from, for its model card: for a run's checkpoint
// (the studio's own or one brought back from nanoVLM's trainer), the run's base model, dataset
// version, settings and the checkpoint's val accuracy; for any model, its family and size.
import type { ModelInfo } from '../../shared/models';
import type { DatasetStore } from '../data/dataset-store';
import type { ModelRegistry } from '../registry/model-registry';
import type { ModelCardFacts } from '../hub/hub-cards';
import type { RunStore } from './run-store';

export interface ProvenanceSources {
  runs: RunStore;
  models: ModelRegistry;
  datasets: DatasetStore;
}

export function modelCardFacts(repo: string, model: ModelInfo, sources: ProvenanceSources): ModelCardFacts {
  const facts: ModelCardFacts = { repo, name: model.name, family: model.family, parameters: model.parameters };
  if (model.source === 'hub') return { ...facts, baseModel: model.reference, baseIsHubRepo: true };
  const run = sources.runs.list().find((r) => r.checkpoints.some((c) => c.modelId === model.id || c.dir === model.folder));
  if (!run) return { ...facts, baseModel: model.source === 'demo' ? "none: the studio's demo model, trained from scratch" : model.reference };
  const checkpoint = run.checkpoints.find((c) => c.modelId === model.id || c.dir === model.folder)!;
  let base: ModelInfo | undefined;
  try {
    base = sources.models.get(run.baseModelId);
  } catch {
    base = undefined;
  }
  const version = sources.datasets.versions.require(run.datasetVersionId);
  const dataset = sources.datasets.getDataset(run.datasetId);
  const valQuestions = Math.min(run.settings.evalSamples, version.splitCounts.val);
  return {
    ...facts,
    baseModel: base ? (base.source === 'hub' ? base.reference : base.name) : run.baseModelId,
    baseIsHubRepo: base?.source === 'hub',
    dataset: { name: dataset.name, versionId: version.id, contentHash: version.contentHash, train: version.splitCounts.train, val: version.splitCounts.val },
    training: {
      preset: run.settings.preset,
      learningRates: run.learningRates,
      batchSize: run.settings.batchSize,
      gradientAccumulationSteps: run.settings.gradientAccumulationSteps,
      maxSteps: run.settings.maxSteps,
      step: checkpoint.step,
      maxGradNorm: run.settings.maxGradNorm,
      trainedBy:
        checkpoint.origin === 'nanovlm'
          ? "nanoVLM's own trainer (train.py), handed the run by nanoVLM Studio"
          : `nanoVLM Studio (${run.engine ?? 'TensorFlow.js'})`,
    },
    ...(checkpoint.valAccuracy !== undefined ? { valAccuracy: { accuracy: checkpoint.valAccuracy, questions: valQuestions } } : {}),
  };
}
