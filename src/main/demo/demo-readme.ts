// The README of resources/demo-model: what the model is, how `npm run train:demo` made it, and the
// figures that run measured (accuracy against chance, training curve, time).
import type { ExactMatchReport } from '../eval/exact-match-eval';
import { formatDuration } from '../cli/progress-format';
import { POSITION_NAMES } from './shapes/grid';
import type { MajorityBaseline } from './shapes/majority-baseline';
import { COLOURS } from './shapes/palette';
import { MAX_COUNT } from './shapes/questions';
import { SHAPE_KINDS } from './shapes/shape-kinds';

export interface DemoFigures {
  steps: number;
  batchSize: number;
  /** make-shapes --count (train + val) */
  datasetCount: number;
  trainRows: number;
  trainSeconds: number;
  totalSeconds: number;
  fresh: ExactMatchReport;
  freshTeacherForced: ExactMatchReport;
  val: ExactMatchReport;
  baselines: MajorityBaseline[];
  curve: { step: number; loss: number; seconds: number }[];
  /** the training engine, as `nanovlm train --engine` names it */
  engine: string;
  config: Record<string, unknown>;
  seeds: { data: number; fresh: number; model: number };
  /** where it ran: CPU model and core count, and the 1-minute load average when training ended */
  machine: { cpu: string; cores: number; loadAverage: number };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function accuracyTable(f: DemoFigures): string[] {
  const rows = f.fresh.byType.map((t) => {
    const chance = f.baselines.find((b) => b.type === t.type);
    return `| ${t.type} | ${pct(t.accuracy)} (${t.correct}/${t.total}) | ${chance ? `${pct(chance.accuracy)} ("${chance.majorityAnswer}")` : '?'} |`;
  });
  return [
    '| question type | exact match, greedy | majority-answer baseline |',
    '|---|---|---|',
    ...rows,
    `| **all** | **${pct(f.fresh.accuracy)}** (${f.fresh.correct}/${f.fresh.total}) | |`,
  ];
}

function curveTable(f: DemoFigures): string[] {
  const marks = new Set([1, ...[0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1].map((q) => Math.max(1, Math.round(q * f.steps)))]);
  const window = Math.max(1, Math.round(f.steps / 50));
  const rows = [...marks]
    .sort((a, b) => a - b)
    .map((step) => {
      // metrics count steps from 1 (the step just taken)
      const recent = f.curve.filter((c) => c.step <= step && c.step > step - window);
      const loss = recent.reduce((s, c) => s + c.loss, 0) / Math.max(1, recent.length);
      const at = f.curve.find((c) => c.step === step);
      return `| ${step} | ${loss.toFixed(3)} | ${at ? formatDuration(at.seconds) : '?'} |`;
    });
  return [`| step | loss (mean of the last ${window} steps) | time |`, '|---|---|---|', ...rows];
}

export function demoReadme(f: DemoFigures): string {
  const c = f.config;
  return [
    '# nanoVLM Studio demo model',
    '',
    'A tiny vision-language model of the nanoVLM architecture (split family: SigLIP-style ViT,',
    'pixel-shuffle projector, Llama-style decoder, ChatML prompt), trained from scratch on synthetic',
    'pictures of shapes. It answers four kinds of question with one word:',
    '',
    `- "What colour is the shape?" → ${COLOURS.map((c) => c.name).join(', ')}`,
    `- "What shape is this?" → ${SHAPE_KINDS.join(', ')}`,
    `- "Where is the heart?" → ${POSITION_NAMES.join(', ')}`,
    `- "How many shapes are there?" → 1 … ${MAX_COUNT}`,
    '',
    'It knows nothing else (ask it about a photo and it will still name a colour or a shape). It is',
    'here so that the studio can chat, fine-tune and export without downloading anything.',
    '',
    '## Model',
    '',
    `- vision: ${c.vit_img_size}×${c.vit_img_size} px images, patch ${c.vit_patch_size}, width ${c.vit_hidden_dim}, ${c.vit_n_blocks} blocks, ${c.vit_n_heads} heads, MLP ${c.vit_inter_dim}`,
    `- projector: pixel shuffle ${c.mp_pixel_shuffle_factor}, ${c.mp_image_token_length} image tokens per image (one tile: max_img_size = vit_img_size)`,
    `- decoder: width ${c.lm_hidden_dim}, ${c.lm_n_blocks} blocks, ${c.lm_n_heads} heads (${c.lm_n_kv_heads} key/value), MLP ${c.lm_inter_dim}, vocabulary ${c.lm_vocab_size} (tied head)`,
    "- tokenizer: the studio's byte-level tokenizer (256 ids, eos `<|im_end|>` = 2) + nanoVLM's 66 image/grid tokens;",
    '  `tokenizer.json` and `tokenizer_config.json` are in this folder (`lm_tokenizer` names no Hub repo).',
    "- files: `config.json` and `model.safetensors` in nanoVLM's own format (float32, `decoder.head.weight` tied, with the `decoder.rotary_embd.inv_freq` buffer: `VisionLanguageModel.from_pretrained` loads it strictly).",
    '',
    '## How it was made',
    '',
    '`npm run train:demo` (scripts/train-demo.ts) runs:',
    '',
    '```',
    `nanovlm make-shapes --out data --count ${f.datasetCount} --seed ${f.seeds.data}`,
    `nanovlm init-model --out init --seed ${f.seeds.model}`,
    `nanovlm train --dataset data/train.jsonl --model init --preset scratch --batch-size ${f.batchSize} --max-steps ${f.steps} --engine ${f.engine}`,
    '```',
    '',
    `That is ${f.steps} AdamW steps of ${f.batchSize} samples (${((f.steps * f.batchSize) / f.trainRows).toFixed(1)} epochs of ${f.trainRows} question/image`,
    'pairs), learning rate 3e-3 for every group (linear warmup over 3% of the steps, cosine to 10%),',
    `weight decay 0.01, clipping at 1.0; engine ${f.engine}${f.engine === 'onnxruntime' ? " (the studio's training graphs on ONNX Runtime's CPU provider)" : ''}. Training took`,
    `${formatDuration(f.trainSeconds)}, the whole script ${formatDuration(f.totalSeconds)} (${f.machine.cores} × ${f.machine.cpu}, load average ${f.machine.loadAverage.toFixed(1)} as training ended).`,
    '',
    '## Accuracy',
    '',
    `Exact match of greedy answers on ${f.fresh.total} FRESH questions (make-shapes seed ${f.seeds.fresh}, never seen in training),`,
    'generated through the ONNX graphs the studio chats with; "baseline" is always giving that type\'s most common answer:',
    '',
    ...accuracyTable(f),
    '',
    `The same set scored by teacher forcing (argmax at every answer token): ${pct(f.freshTeacherForced.accuracy)}.`,
    `Validation split of the training data (greedy): ${pct(f.val.accuracy)} of ${f.val.total}.`,
    '',
    '## Training curve',
    '',
    ...curveTable(f),
    '',
  ].join('\n');
}
