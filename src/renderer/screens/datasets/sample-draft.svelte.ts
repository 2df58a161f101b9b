// The editor's working copy of one sample: what the person changed since the last save, autosave
// a moment after they stop typing, and changes from elsewhere (undo, redo) merged in.
import type { AnswerOrigin, ImageInfo, Sample, SamplePatch, SampleSplit, SampleStatus, TurnInput } from '../../../shared/datasets';
import type { OpenSampleListener, Workspace } from './workspace.svelte';

const AUTOSAVE_MS = 700;

export interface DraftTurn {
  key: number;
  user: string;
  assistant: string;
  origin: AnswerOrigin;
  model?: string;
}

let nextKey = 1;
const toDraftTurns = (s: Sample): DraftTurn[] => s.turns.map((t) => ({ ...t, key: nextKey++ }));
const turnInputs = (turns: DraftTurn[]): TurnInput[] =>
  turns.map((t) => ({ user: t.user, assistant: t.assistant, origin: t.origin, ...(t.model ? { model: t.model } : {}) }));
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class SampleDraft implements OpenSampleListener {
  saved = $state.raw<Sample>() as Sample;
  turns = $state<DraftTurn[]>([]);
  images = $state.raw<ImageInfo[]>([]);
  status = $state<SampleStatus>('todo');
  split = $state<SampleSplit>('train');
  tags = $state.raw<string[]>([]);
  saving = $state(false);
  failed = $state(false);
  readonly dirty = $derived(Object.keys(this.patch()).length > 0);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    sample: Sample,
    private readonly ws: Workspace,
  ) {
    this.saved = sample;
    this.take(sample);
  }

  get id(): number {
    return this.saved.id;
  }

  /** The fields that differ from what is saved. */
  patch(): SamplePatch {
    const s = this.saved;
    const patch: SamplePatch = {};
    const turns = turnInputs(this.turns);
    if (!same(turns, turnInputs(toDraftTurns(s)))) patch.turns = turns;
    if (
      !same(
        this.images.map((i) => i.id),
        s.images.map((i) => i.id),
      )
    )
      patch.imageIds = this.images.map((i) => i.id);
    if (this.status !== s.status) patch.status = this.status;
    if (this.split !== s.split) patch.split = this.split;
    if (!same(this.tags, s.tags)) patch.tags = this.tags;
    return patch;
  }

  /** A person's answer: editing it makes the answer theirs, not the importer's or the model's. */
  setAnswer(turn: DraftTurn, text: string): void {
    turn.assistant = text;
    turn.origin = 'person';
    delete turn.model;
    this.scheduleSave();
  }

  scheduleSave(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.save('Edit sample'), AUTOSAVE_MS);
  }

  /** Saves now (after any save in flight); resolves when what was typed so far is stored. */
  save(label = 'Edit sample'): Promise<void> {
    clearTimeout(this.timer);
    this.pending = this.pending.then(() => this.saveOnce(label));
    return this.pending;
  }

  /** Changes from outside the editor (undo, redo): fields the person has not touched follow them. */
  external(sample: Sample): void {
    if (sample.id !== this.saved.id || this.saving) return;
    const before = this.saved;
    this.saved = sample;
    if (same(turnInputs(this.turns), turnInputs(toDraftTurns(before)))) this.turns = toDraftTurns(sample);
    if (
      same(
        this.images.map((i) => i.id),
        before.images.map((i) => i.id),
      )
    )
      this.images = sample.images;
    if (this.status === before.status) this.status = sample.status;
    if (this.split === before.split) this.split = sample.split;
    if (same(this.tags, before.tags)) this.tags = sample.tags;
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  private async saveOnce(label: string): Promise<void> {
    const patch = this.patch();
    if (Object.keys(patch).length === 0) return;
    this.saving = true;
    const result = await this.ws.changeSample(this.saved, patch, label);
    this.saving = false;
    this.failed = result === null;
    if (result) this.saved = result;
  }

  private take(sample: Sample): void {
    this.turns = toDraftTurns(sample);
    this.images = sample.images;
    this.status = sample.status;
    this.split = sample.split;
    this.tags = sample.tags;
  }
}
