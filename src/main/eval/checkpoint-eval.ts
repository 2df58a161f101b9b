// Exact-match accuracy of a checkpoint folder (with its tokenizer files) on a VQA JSONL, through
// the same ONNX graphs chat and run evaluation use: the checkpoint is exported (logits at every
// position) into a scratch folder, then each row's last question is answered greedily, or, when
// speed matters, checked in one teacher-forced pass (teacher-forced-match.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NanoVLMTokenizer } from '../model/tokenizer';
import { Processor } from '../model/processor';
import { ensureExport } from '../onnx/export-cache';
import { VlmEngine } from '../runtime/vlm-engine';
import { evaluateAnswers } from './evaluate';
import { answersCorrect, exactMatchReport, readTaggedRecords, type ExactMatchReport } from './exact-match-eval';
import { answersMatch } from './teacher-forced-match';

export interface CheckpointEvalOptions {
  method?: 'greedy' | 'teacher-forced';
  /** folder with tokenizer.json (default: the checkpoint folder) */
  tokenizerDir?: string;
  /** evaluate only the first N rows */
  limit?: number;
}

export async function evaluateCheckpoint(
  dir: string,
  jsonlPath: string,
  options: CheckpointEvalOptions = {},
): Promise<ExactMatchReport & { answers?: string[] }> {
  const scratch = mkdtempSync(join(tmpdir(), 'nanovlm-eval-'));
  try {
    const exported = await ensureExport(dir, { quant: 'none', allLogits: true }, { cacheDir: scratch });
    const engine = await VlmEngine.load(exported.dir, {});
    try {
      const tokenizer = NanoVLMTokenizer.fromFolder(options.tokenizerDir ?? dir, engine.config);
      const items = readTaggedRecords(jsonlPath).slice(0, options.limit);
      if ((options.method ?? 'greedy') === 'teacher-forced') {
        const processor = new Processor({ family: engine.family, config: engine.config }, tokenizer);
        const correct: boolean[] = [];
        for (const { record } of items) correct.push(await answersMatch(engine, await processor.forTraining(record.texts, record.images)));
        return exactMatchReport(items, correct);
      }
      // the last question of each row, asked with the gold answers of the turns before it
      const samples = items.map(({ record }, i) => ({
        id: String(i),
        images: record.images,
        texts: record.texts.map((t) => ({ user: t.user, assistant: t.assistant ?? '' })),
      }));
      const { predictions } = await evaluateAnswers(engine, tokenizer, samples, { lastTurnOnly: true });
      const answers = predictions.map((p) => p.predicted);
      return { ...exactMatchReport(items, answersCorrect(items, answers)), answers };
    } finally {
      await engine.dispose();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
