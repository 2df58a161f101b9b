// Training types shared by the core, the trainer subprocess and the renderer: hyperparameters,
// engines, and the messages between the core and a trainer process.

/** nanoVLM's optimiser groups: the modality projector, the vision encoder, the language decoder. */
export const PARAMETER_GROUPS = ['mp', 'vision', 'language'] as const;
export type ParameterGroupName = (typeof PARAMETER_GROUPS)[number];

/** Peak learning rate of each nanoVLM optimiser group; 0 freezes the group. */
export type LearningRates = Record<ParameterGroupName, number>;

/** The TensorFlow.js engines, fastest first (the order they are tried in). */
export const TFJS_ENGINES = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type TfjsEngineName = (typeof TFJS_ENGINES)[number];
/**
 * Every training engine, fastest first: ONNX Runtime running the studio's training graphs (on
 * CUDA where present, else the CPU), then TensorFlow.js, the reference it is checked against.
 */
export const TRAINING_ENGINES = ['onnxruntime', ...TFJS_ENGINES] as const;

/** How the learning rate moves after the warmup: nanoVLM's cosine, a straight line, or not at all. */
export const LR_SCHEDULES = ['cosine', 'linear', 'constant'] as const;
export type LrScheduleName = (typeof LR_SCHEDULES)[number];
/** nanoVLM's warmup: this share of the steps */
export const DEFAULT_WARMUP_FRACTION = 0.03;
export type TrainingEngineName = (typeof TRAINING_ENGINES)[number];

export interface TrainingEngineStatus {
  engine: TrainingEngineName;
  available: boolean;
  detail: string;
}

export interface OptimizerSettings {
  learningRates: LearningRates;
  /** global-norm clipping over the trained parameters (nanoVLM: 1.0); null = no clipping */
  maxGradNorm: number | null;
  /** AdamW, PyTorch defaults */
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const DEFAULT_OPTIMIZER: OptimizerSettings = {
  learningRates: { mp: 0.00512, vision: 5e-5, language: 5e-5 },
  maxGradNorm: 1.0,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0.01,
};

export interface TrainingRunConfig {
  /** checkpoint folder to start from */
  baseModelDir: string;
  /** folder with the language model's tokenizer.json (+ tokenizer_config.json) */
  tokenizerDir: string;
  /** JSONL dataset ({"images": [relative paths], "texts": [{"user", "assistant"}]}) */
  datasetPath: string;
  outputDir: string;
  optimizer: OptimizerSettings;
  /** optimiser steps */
  maxSteps: number;
  batchSize: number;
  gradientAccumulationSteps: number;
  seed: number;
  /** write a checkpoint every this many optimiser steps (and at the end) */
  checkpointEvery: number;
  /** resume from a checkpoint folder written by a run (with its trainer state) */
  resumeFrom?: string;
  engine?: TrainingEngineName;
  /** the learning rate's schedule (default cosine) and the share of the steps it warms up over (default 0.03) */
  schedule?: LrScheduleName;
  warmupFraction?: number;
  /** the studio's cache folder: the onnxruntime engine keeps its optimised graphs there between runs */
  cacheDir?: string;
}

/** core → trainer */
export type TrainerCommand = { type: 'start'; config: TrainingRunConfig } | { type: 'stop' };

/** trainer → core */
export type TrainerMessage =
  | { type: 'started'; engine: TrainingEngineName; engineReason: string; parameters: number; trainedParameters: number; startStep: number }
  | { type: 'progress'; step: number; maxSteps: number; samplesPerSecond: number }
  /** step: optimiser steps completed (1 after the first), as in progress and checkpoint */
  | { type: 'metrics'; step: number; loss: number; gradNorm: number; learningRates: LearningRates }
  | { type: 'checkpoint'; step: number; dir: string }
  | { type: 'log'; level: 'info' | 'warn'; text: string }
  | { type: 'finished'; step: number; checkpointDir: string }
  | { type: 'failed'; error: string };
