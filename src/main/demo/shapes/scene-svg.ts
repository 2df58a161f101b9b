// A scene as an SVG document of `size` pixels a side (rendered to PNG by sharp).
import type { Scene } from './scene';
import { shapeSvg } from './shape-kinds';

const rgbText = ([r, g, b]: readonly [number, number, number]): string => `rgb(${r},${g},${b})`;

export function sceneSvg(scene: Scene, size: number): string {
  const shapes = scene.shapes.map((s) => shapeSvg(s.kind, s.x * size, s.y * size, s.radius * size, rgbText(s.rgb)));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">`,
    `<rect width="${size}" height="${size}" fill="${rgbText(scene.background)}"/>`,
    ...shapes,
    '</svg>',
  ].join('\n');
}
