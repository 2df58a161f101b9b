// The first-start welcome: what the studio can offer (studio.welcome) and whether the panel shows.
// Once shown in a session it stays until hidden, even when adding the demo ends the "first start";
// hiding it is remembered, and "Getting started" brings it back.
import type { WelcomeState } from '../../../shared/system';
import { client } from '../../lib/client';
import { reportError } from '../../lib/errors.svelte';

const HIDDEN_KEY = 'nanovlm.welcome.hidden';

export const welcome = $state<{ state: WelcomeState | undefined; visible: boolean }>({ state: undefined, visible: false });

/** Reads what the studio offers; shows the panel on a first start unless the person hid it. */
export async function loadWelcome(): Promise<void> {
  try {
    welcome.state = await client.call('studio.welcome', {});
    if (welcome.state.firstStart && localStorage.getItem(HIDDEN_KEY) !== '1') welcome.visible = true;
  } catch (err) {
    reportError(err, 'Could not read the welcome');
  }
}

export function hideWelcome(): void {
  welcome.visible = false;
  localStorage.setItem(HIDDEN_KEY, '1');
}

export function showWelcome(): void {
  welcome.visible = true;
  void loadWelcome();
}
