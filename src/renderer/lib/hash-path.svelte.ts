// The part of the location hash after the screen (#/runs/<id> → ['<id>']), so that a screen can
// address its own pages and links into them survive reloads and back/forward. The screen travels
// with its parts: a screen that is being left must not read the next screen's parts as its own.
function parse(hash: string): { screen: string; parts: string[] } {
  const [screen = '', ...parts] = hash.replace(/^#\/?/, '').split('/');
  return { screen, parts: parts.filter(Boolean).map(decodeURIComponent) };
}

export const hashPath = $state(parse(location.hash));

window.addEventListener('hashchange', () => {
  Object.assign(hashPath, parse(location.hash));
});

/** the parts of the hash when it addresses `screen`, else none */
export function partsFor(screen: string): string[] {
  return hashPath.screen === screen ? hashPath.parts : [];
}

export function goTo(screen: string, ...parts: string[]): void {
  location.hash = `#/${[screen, ...parts.map(encodeURIComponent)].join('/')}`;
}
