// Screens addressed by the location hash (#/chat), so that back/forward and reloads keep the place.
export const SCREENS = [
  { id: 'datasets', label: 'Datasets', key: '1' },
  { id: 'chat', label: 'Chat', key: '2' },
  { id: 'runs', label: 'Runs', key: '3' },
  { id: 'models', label: 'Models', key: '4' },
] as const;

export type ScreenId = (typeof SCREENS)[number]['id'];

function fromHash(): ScreenId {
  const id = location.hash.replace(/^#\/?/, '').split('/')[0];
  return SCREENS.some((s) => s.id === id) ? (id as ScreenId) : 'datasets';
}

export const route = $state({ screen: fromHash() });

export function startRouter(): void {
  window.addEventListener('hashchange', () => {
    route.screen = fromHash();
  });
}

export function go(screen: ScreenId): void {
  location.hash = `#/${screen}`;
}
