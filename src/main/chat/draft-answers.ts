// Pre-annotation: a model drafts the missing answers of a selection of samples. Each filled answer
// is marked as the model's (origin "model", the model's name) and the sample becomes a "draft"
// for a person to accept or correct. Runs as a job: progress per sample, cancellable between
// samples; what was drafted before a cancel stays.
import type { GenerationSettings } from '../../shared/chat';
import type { Selection, TurnInput } from '../../shared/datasets';
import type { JobContext } from '../core/jobs';
import type { DatasetStore } from '../data/dataset-store';
import type { ModelInfo } from '../../shared/models';
import type { Turn } from '../model/prompt';
import { answer } from '../runtime/answer';
import type { EnginePool } from './engine-pool';

export interface DraftRequest {
  selection: Selection;
  model: ModelInfo;
  settings: GenerationSettings;
  /** asked of samples that have no question yet */
  defaultQuestion: string;
}

export interface DraftReport {
  drafted: number;
  answers: number;
  skipped: { sampleId: number; reason: string }[];
}

export async function draftAnswers(store: DatasetStore, engines: EnginePool, request: DraftRequest, job: JobContext): Promise<DraftReport> {
  const ids = store.samples.selectedIds(request.selection);
  const report: DraftReport = { drafted: 0, answers: 0, skipped: [] };
  job.progress({ done: 0, total: ids.length });
  await engines.withModel(request.model.id, request.settings.quant, async ({ engine, tokenizer }) => {
    for (const [index, id] of ids.entries()) {
      if (job.signal.aborted) throw job.signal.reason as Error;
      const sample = store.getSample(id);
      const turns: TurnInput[] = sample?.turns.length ? sample.turns.map((t) => ({ ...t })) : [{ user: request.defaultQuestion, assistant: '' }];
      if (!sample || turns.every((t) => t.assistant.trim() !== '')) {
        job.progress({ done: index + 1 });
        continue;
      }
      try {
        const images = sample.images.map((im) => store.imageFilePath(im.id));
        for (let t = 0; t < turns.length; t++) {
          if (turns[t]!.assistant.trim() !== '') continue;
          const context: Turn[] = [...turns.slice(0, t).map((x) => ({ user: x.user, assistant: x.assistant })), { user: turns[t]!.user }];
          const result = await answer(engine, tokenizer, { turns: context, images, ...request.settings, signal: job.signal });
          if (result.stopReason === 'cancelled') throw job.signal.reason as Error;
          turns[t] = { user: turns[t]!.user, assistant: result.text.trim(), origin: 'model', model: request.model.name };
          report.answers++;
        }
        store.updateSample(id, { turns, status: 'draft' });
        report.drafted++;
      } catch (err) {
        if (job.signal.aborted) throw err;
        report.skipped.push({ sampleId: id, reason: (err as Error).message });
      }
      job.progress({ done: index + 1, stage: `${report.drafted} drafted` });
    }
  });
  return report;
}
