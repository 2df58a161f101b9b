// The kinds of shape, each drawn as an SVG element centred on (cx, cy) with "radius" r (half its
// extent). Eight silhouettes that stay distinct at ~20 px: guessing the kind is right an eighth
// of the time.
export const SHAPE_KINDS = ['circle', 'square', 'triangle', 'diamond', 'star', 'cross', 'heart', 'crescent'] as const;

export type ShapeKind = (typeof SHAPE_KINDS)[number];

const fmt = (n: number): string => n.toFixed(2);
const points = (xy: [number, number][]): string => xy.map(([x, y]) => `${fmt(x)},${fmt(y)}`).join(' ');

function starPoints(cx: number, cy: number, r: number): [number, number][] {
  return Array.from({ length: 10 }, (_, i) => {
    const radius = i % 2 === 0 ? r : r * 0.45;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    return [cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)];
  });
}

function crossPoints(cx: number, cy: number, r: number): [number, number][] {
  const a = r * 0.34;
  return [
    [cx - a, cy - r],
    [cx + a, cy - r],
    [cx + a, cy - a],
    [cx + r, cy - a],
    [cx + r, cy + a],
    [cx + a, cy + a],
    [cx + a, cy + r],
    [cx - a, cy + r],
    [cx - a, cy + a],
    [cx - r, cy + a],
    [cx - r, cy - a],
    [cx - a, cy - a],
  ];
}

/** Two lobes (arcs) over a point. */
function heartPath(cx: number, cy: number, r: number): string {
  const lobe = r * 0.5;
  return (
    `M ${fmt(cx)} ${fmt(cy + r)} L ${fmt(cx - r)} ${fmt(cy - r * 0.15)} A ${fmt(lobe)} ${fmt(lobe)} 0 0 1 ${fmt(cx)} ${fmt(cy - r * 0.45)} ` +
    `A ${fmt(lobe)} ${fmt(lobe)} 0 0 1 ${fmt(cx + r)} ${fmt(cy - r * 0.15)} Z`
  );
}

/** The left half of a circle minus the left half of a narrower ellipse: a "C"-shaped moon. */
function crescentPath(cx: number, cy: number, r: number): string {
  return (
    `M ${fmt(cx + r * 0.5)} ${fmt(cy - r)} A ${fmt(r)} ${fmt(r)} 0 0 0 ${fmt(cx + r * 0.5)} ${fmt(cy + r)} ` +
    `A ${fmt(r * 0.45)} ${fmt(r)} 0 0 1 ${fmt(cx + r * 0.5)} ${fmt(cy - r)} Z`
  );
}

/** One SVG element for a shape of this kind, filled with `fill`. */
export function shapeSvg(kind: ShapeKind, cx: number, cy: number, r: number, fill: string): string {
  const paint = `fill="${fill}"`;
  switch (kind) {
    case 'circle':
      return `<circle cx="${fmt(cx)}" cy="${fmt(cy)}" r="${fmt(r)}" ${paint}/>`;
    case 'square': {
      const half = r * 0.85;
      return `<rect x="${fmt(cx - half)}" y="${fmt(cy - half)}" width="${fmt(2 * half)}" height="${fmt(2 * half)}" ${paint}/>`;
    }
    case 'triangle':
      return `<polygon points="${points([
        [cx, cy - r],
        [cx + r, cy + r * 0.8],
        [cx - r, cy + r * 0.8],
      ])}" ${paint}/>`;
    case 'diamond':
      return `<polygon points="${points([
        [cx, cy - r],
        [cx + r * 0.7, cy],
        [cx, cy + r],
        [cx - r * 0.7, cy],
      ])}" ${paint}/>`;
    case 'star':
      return `<polygon points="${points(starPoints(cx, cy, r))}" ${paint}/>`;
    case 'cross':
      return `<polygon points="${points(crossPoints(cx, cy, r))}" ${paint}/>`;
    case 'heart':
      return `<path d="${heartPath(cx, cy, r)}" ${paint}/>`;
    case 'crescent':
      return `<path d="${crescentPath(cx, cy, r)}" ${paint}/>`;
  }
}
