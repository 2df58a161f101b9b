// The generation settings the person chose, remembered between visits (this browser only). Greedy
// follows the model (greedy-default.ts) until the person sets it themselves.
import { DEFAULT_GENERATION_SETTINGS, generationSettingsSchema, type GenerationSettings } from '../../../shared/chat';
import type { ModelInfo } from '../../../shared/models';
import { greedyReason } from './greedy-default';

const STORAGE_KEY = 'nanovlm.chat.settings';
const GREEDY_CHOSEN_KEY = 'nanovlm.chat.greedyChosen';

function load(): GenerationSettings {
  try {
    const parsed = generationSettingsSchema.safeParse(JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}'));
    return parsed.success ? parsed.data : { ...DEFAULT_GENERATION_SETTINGS };
  } catch {
    return { ...DEFAULT_GENERATION_SETTINGS };
  }
}

export const generation = $state<{ settings: GenerationSettings; greedyChosen: boolean; reason: string | undefined }>({
  settings: load(),
  /** the person ticked or unticked Greedy: the model's default no longer applies */
  greedyChosen: localStorage.getItem(GREEDY_CHOSEN_KEY) === '1',
  /** why greedy is on by default for the current model, if it is */
  reason: undefined,
});

export function saveSettings(): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(generation.settings));
}

/** The person set Greedy themselves. */
export function chooseGreedy(): void {
  generation.greedyChosen = true;
  localStorage.setItem(GREEDY_CHOSEN_KEY, '1');
  saveSettings();
}

/** The model changed: greedy follows it unless the person chose. */
export function followModel(model: ModelInfo | undefined): void {
  generation.reason = greedyReason(model);
  if (!generation.greedyChosen) generation.settings.greedy = generation.reason !== undefined;
}

export function resetSettings(model?: ModelInfo): void {
  generation.settings = { ...DEFAULT_GENERATION_SETTINGS };
  generation.greedyChosen = false;
  localStorage.removeItem(GREEDY_CHOSEN_KEY);
  followModel(model);
  saveSettings();
}

/** a plain copy for a call (the state is a proxy) */
export function currentSettings(): GenerationSettings {
  return $state.snapshot(generation.settings);
}
