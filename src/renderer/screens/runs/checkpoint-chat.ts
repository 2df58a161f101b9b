// "Chat" on any kept checkpoint of a run: it becomes a model the first time (runs.checkpointModel),
// then the Chat screen opens with it.
import { client } from '../../lib/client';
import { reportError } from '../../lib/errors.svelte';
import { refreshModels } from '../../lib/models.svelte';
import { openChatWith } from '../chat/chat-route';

export async function chatWithCheckpoint(runId: string, step: number): Promise<void> {
  try {
    const model = await client.call('runs.checkpointModel', { id: runId, step });
    await refreshModels();
    openChatWith(model.id);
  } catch (err) {
    reportError(err, `Could not open the checkpoint of step ${step}`);
  }
}
