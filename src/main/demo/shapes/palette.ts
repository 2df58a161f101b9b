// The colours shapes are painted in, each with the one-word name that answers "What colour is
// the shape?". Eight of them, so that guessing one is right an eighth of the time. Far apart in
// hue or lightness, so that a small model can tell them apart after a little jitter.
// Backgrounds are near black: nanoVLM feeds pixels unnormalised in [0, 1], so a dark background
// adds almost nothing to a patch and what a patch shows is the shape alone (on white, the
// background dominated every patch and a model trained from scratch took far longer to see).
export interface NamedColour {
  name: string;
  rgb: readonly [number, number, number];
}

export const COLOURS: readonly NamedColour[] = [
  { name: 'red', rgb: [220, 30, 30] },
  { name: 'orange', rgb: [245, 140, 20] },
  { name: 'yellow', rgb: [240, 220, 30] },
  { name: 'green', rgb: [30, 160, 50] },
  { name: 'blue', rgb: [30, 70, 220] },
  { name: 'purple', rgb: [130, 40, 170] },
  { name: 'pink', rgb: [245, 120, 190] },
  { name: 'white', rgb: [235, 235, 235] },
];

/** Dark backgrounds, so that every colour above stands out. */
export const BACKGROUNDS: readonly (readonly [number, number, number])[] = [
  [0, 0, 0],
  [12, 12, 16],
  [20, 16, 12],
];
