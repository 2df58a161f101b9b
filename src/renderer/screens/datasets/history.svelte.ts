// Undo and redo for what the person did to samples (edits, status, split, tags, bulk actions,
// deletes). Each entry knows how to undo and redo itself through the API.
import { reportError } from '../../lib/errors.svelte';
import { say } from './feedback.svelte';

export interface HistoryEntry {
  label: string;
  undo(): Promise<void>;
  redo(): Promise<void>;
}

const LIMIT = 200;

export class History {
  private readonly done = $state<HistoryEntry[]>([]);
  private readonly undone = $state<HistoryEntry[]>([]);
  private busy = false;

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  push(entry: HistoryEntry): void {
    this.done.push(entry);
    if (this.done.length > LIMIT) this.done.shift();
    this.undone.length = 0;
  }

  async undo(): Promise<void> {
    await this.step(this.done, this.undone, 'undo', 'Undid');
  }

  async redo(): Promise<void> {
    await this.step(this.undone, this.done, 'redo', 'Redid');
  }

  private async step(from: HistoryEntry[], to: HistoryEntry[], action: 'undo' | 'redo', verb: string): Promise<void> {
    if (this.busy) return;
    const entry = from.pop();
    if (!entry) {
      say(action === 'undo' ? 'Nothing to undo' : 'Nothing to redo');
      return;
    }
    this.busy = true;
    try {
      await entry[action]();
      to.push(entry);
      say(`${verb}: ${entry.label}`);
    } catch (err) {
      reportError(err, `Could not ${action} “${entry.label}”`);
    } finally {
      this.busy = false;
    }
  }
}
