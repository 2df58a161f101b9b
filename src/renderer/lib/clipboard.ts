// Copying text for the person; a refusal (no permission, insecure origin) is reported, not hidden.
import { reportError } from './errors.svelte';

/** true when copied; the caller shows a short confirmation */
export async function copyText(text: string, what: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (err) {
    reportError(err, `Could not copy the ${what}`);
    return false;
  }
}
