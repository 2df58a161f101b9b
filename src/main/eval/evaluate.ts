// Answer accuracy of a model on held-out samples: each question is asked with the photos and the
// gold answers of the turns before it, greedily, and the prediction is compared with the gold
// answer (answer-match.ts). Every prediction is kept for drill-down.
import type { RunPrediction } from '../../shared/runs';
import type { NanoVLMTokenizer } from '../model/tokenizer';
import type { Turn } from '../model/prompt';
import { answer } from '../runtime/answer';
import type { VlmEngine } from '../runtime/vlm-engine';
import { isCorrectAnswer } from './answer-match';

export interface EvalSample {
  /** the sample id in the studio, or "file:line" for a file */
  id: string;
  images: (string | Uint8Array)[];
  texts: { user: string; assistant: string }[];
}

/** one question asked: what was expected, what the model said, and whether it counts as right */
export type Prediction = RunPrediction;

export interface EvalResult {
  accuracy: number;
  /** questions asked */
  n: number;
  predictions: Prediction[];
}

export interface EvalOptions {
  maxNewTokens?: number;
  /** ask only each sample's last question (the turns before it as history) */
  lastTurnOnly?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export async function evaluateAnswers(engine: VlmEngine, tokenizer: NanoVLMTokenizer, samples: EvalSample[], options: EvalOptions = {}): Promise<EvalResult> {
  const predictions: Prediction[] = [];
  for (const [index, sample] of samples.entries()) {
    if (options.signal?.aborted) throw options.signal.reason as Error;
    for (let t = options.lastTurnOnly ? sample.texts.length - 1 : 0; t < sample.texts.length; t++) {
      const { user, assistant: expected } = sample.texts[t]!;
      const turns: Turn[] = [...sample.texts.slice(0, t), { user }];
      try {
        const result = await answer(engine, tokenizer, {
          turns,
          images: sample.images,
          greedy: true,
          maxNewTokens: options.maxNewTokens ?? 32,
          signal: options.signal,
        });
        predictions.push({
          sampleId: sample.id,
          turn: t,
          question: user,
          expected,
          predicted: result.text.trim(),
          correct: isCorrectAnswer(expected, result.text),
        });
      } catch (err) {
        if (options.signal?.aborted) throw err;
        predictions.push({ sampleId: sample.id, turn: t, question: user, expected, predicted: '', correct: false, error: (err as Error).message });
      }
    }
    options.onProgress?.(index + 1, samples.length);
  }
  const right = predictions.filter((p) => p.correct).length;
  return { accuracy: predictions.length ? right / predictions.length : 0, n: predictions.length, predictions };
}
