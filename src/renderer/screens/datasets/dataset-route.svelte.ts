// Which dataset is open, from the location hash (#/datasets/12), so reloads and back/forward keep
// the place. The shell's router only knows the screen; this reads the rest of the hash.
function datasetIdFromHash(): number | null {
  const [screen, id] = location.hash.replace(/^#\/?/, '').split('/');
  if (screen !== 'datasets' || !id || !/^\d+$/.test(id)) return null;
  return Number(id);
}

export const datasetRoute = $state({ datasetId: datasetIdFromHash() });

window.addEventListener('hashchange', () => {
  datasetRoute.datasetId = datasetIdFromHash();
});

export function openDataset(id: number | null): void {
  location.hash = id === null ? '#/datasets' : `#/datasets/${id}`;
}
