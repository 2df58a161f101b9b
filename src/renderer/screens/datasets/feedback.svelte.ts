// A one-line, passing confirmation of the last action ("Deleted 3 samples · Ctrl+Z undoes"),
// shown in the workspace's action bar; errors still go to reportError and stay until dismissed.
const SHOW_MS = 5000;

export const feedback = $state({ message: '', serial: 0 });
let timer: ReturnType<typeof setTimeout> | undefined;

export function say(message: string): void {
  feedback.message = message;
  feedback.serial++;
  clearTimeout(timer);
  timer = setTimeout(() => (feedback.message = ''), SHOW_MS);
}
