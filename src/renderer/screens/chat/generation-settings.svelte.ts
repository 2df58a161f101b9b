// The generation settings the person chose, remembered between visits (this browser only).
import { DEFAULT_GENERATION_SETTINGS, generationSettingsSchema, type GenerationSettings } from '../../../shared/chat';

const STORAGE_KEY = 'nanovlm.chat.settings';

function load(): GenerationSettings {
  try {
    const parsed = generationSettingsSchema.safeParse(JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}'));
    return parsed.success ? parsed.data : { ...DEFAULT_GENERATION_SETTINGS };
  } catch {
    return { ...DEFAULT_GENERATION_SETTINGS };
  }
}

export const generation = $state<{ settings: GenerationSettings }>({ settings: load() });

export function saveSettings(): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(generation.settings));
}

export function resetSettings(): void {
  generation.settings = { ...DEFAULT_GENERATION_SETTINGS };
  saveSettings();
}

/** a plain copy for a call (the state is a proxy) */
export function currentSettings(): GenerationSettings {
  return $state.snapshot(generation.settings);
}
