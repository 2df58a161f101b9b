// `nanovlm check-step`: one training step on a batch stored in safetensors, printed as JSON, to
// compare the trainer with nanoVLM's PyTorch code (the golden fixtures record the same three
// numbers).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { numberOption, requireString, UsageError, type CliCommand } from '../command';
import { readBatchFile, SINGLE_SAMPLE_NAMES } from '../batch-file';
import { checkTrainingStep } from '../../training/check-step';
import { selectEngineForRun } from '../../training/engines/select-engine';
import { parseProvider, PROVIDER_ENV } from '../../runtime/providers';
import { TRAINING_ENGINES, type TrainingEngineName } from '../../../shared/training';

const ENGINES: readonly TrainingEngineName[] = TRAINING_ENGINES;
const nonNegative = (n: number) => Number.isFinite(n) && n >= 0;

export const command: CliCommand = {
  name: 'check-step',
  summary: 'run one training step on a saved batch and print loss, gradient norm and loss after the step',
  usage: [
    'Usage: nanovlm check-step --model DIR --inputs IN.safetensors [options]',
    '',
    'Reads train_input_ids, train_targets (shifted, -100 = no label) and pixel_values from IN,',
    'takes one AdamW step and prints {"loss", "grad_norm", "loss_after_step"}.',
    '',
    '  --model DIR          nanoVLM checkpoint folder (config.json + model.safetensors)',
    '  --inputs FILE        safetensors file with the batch',
    '  --lr-mp N            projector learning rate (default 1e-2; 0 freezes)',
    '  --lr-vision N        vision encoder learning rate (default 1e-3; 0 freezes)',
    '  --lr-language N      language decoder learning rate (default 1e-3; 0 freezes)',
    '  --max-grad-norm N    clipping threshold (default 1.0)',
    `  --engine NAME        ${ENGINES.join(' | ')} (default: the best available)`,
    `  --provider P         the onnxruntime engine's provider: cpu | cuda | webgpu (default: $${PROVIDER_ENV}, else detected)`,
  ].join('\n'),
  options: {
    model: { type: 'string' },
    inputs: { type: 'string' },
    'lr-mp': { type: 'string' },
    'lr-vision': { type: 'string' },
    'lr-language': { type: 'string' },
    'max-grad-norm': { type: 'string' },
    engine: { type: 'string' },
    provider: { type: 'string' },
  },
  async run(args, io) {
    const model = requireString(args, 'model');
    const inputs = requireString(args, 'inputs');
    if (!existsSync(join(model, 'config.json'))) throw new Error(`${model}: not a nanoVLM checkpoint folder (no config.json)`);
    if (!existsSync(inputs)) throw new Error(`${inputs}: not found`);
    const learningRates = {
      mp: numberOption(args, 'lr-mp', nonNegative) ?? 1e-2,
      vision: numberOption(args, 'lr-vision', nonNegative) ?? 1e-3,
      language: numberOption(args, 'lr-language', nonNegative) ?? 1e-3,
    };
    const maxGradNorm = numberOption(args, 'max-grad-norm', (n) => Number.isFinite(n) && n > 0) ?? 1.0;
    const engine = args.values.engine as TrainingEngineName | undefined;
    if (engine !== undefined && !ENGINES.includes(engine)) throw new UsageError(`--engine must be one of ${ENGINES.join(', ')}`);
    const provider = parseProvider(args.values.provider as string | undefined);
    if (provider && engine !== undefined && engine !== 'onnxruntime') throw new UsageError(`--provider is for the onnxruntime engine, not ${engine}`);
    const selected = await selectEngineForRun(provider ? 'onnxruntime' : engine, { wasm: 0, native: 0 }, provider);
    io.err(`engine: ${selected.engine} (${selected.reason})\n`);
    const result = await checkTrainingStep(model, readBatchFile(inputs, SINGLE_SAMPLE_NAMES), learningRates, maxGradNorm, selected);
    io.out(`${JSON.stringify(result)}\n`);
    return 0;
  },
};
