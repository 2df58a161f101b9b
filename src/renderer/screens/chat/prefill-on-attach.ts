// Prefill on attach: tells the core which photos the question being written is about
// (chat.prefill), so that the model reads them while the person types and only the question is
// left to run when Enter is pressed. A change of photos, model, precision or chat redoes it,
// removing the photos cancels it; a question sent keeps what was prefilled. One per composer slot.
import type { GenerationSettings } from '../../../shared/chat';
import { client } from '../../lib/client';

export interface PrefillTarget {
  chatId: number | undefined;
  modelId: string;
  imageIds: string[];
  quant: GenerationSettings['quant'];
  /** the chat is still answering: the core prefills once the answer has ended */
  answering: boolean;
}

export class PrefillOnAttach {
  /** what was last asked of the core ('' = nothing) */
  private last = '';

  constructor(private readonly slot: string) {}

  /** The composer's state now (an $effect calls this); only changes reach the core. */
  sync(target: PrefillTarget | undefined): void {
    const wanted = target && target.modelId && target.imageIds.length > 0 && !target.answering ? target : undefined;
    const key = wanted ? JSON.stringify([wanted.chatId, wanted.modelId, wanted.imageIds, wanted.quant]) : '';
    if (key === this.last) return;
    this.last = key;
    const input = wanted
      ? { slot: this.slot, modelId: wanted.modelId, imageIds: wanted.imageIds, quant: wanted.quant, ...(wanted.chatId ? { chatId: wanted.chatId } : {}) }
      : { slot: this.slot, imageIds: [] };
    // only a head start: whatever fails here is reported when the question is sent
    client.call('chat.prefill', input).catch(() => undefined);
  }

  /** The question went with these photos: the prefill is the answer's now, clearing them must not cancel it. */
  sent(): void {
    this.last = '';
  }
}
