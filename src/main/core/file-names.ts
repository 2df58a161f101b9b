// Names of files the studio writes for people (downloads, exports): readable, and safe on every
// file system (letters, digits, dots, dashes and underscores only).
export function fileSafe(name: string, fallback = 'export'): string {
  const safe = name
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  return safe || fallback;
}
