/**
 * Node colour by the token's probability (exp of its log-probability): viridis, perceptually ordered
 * and readable with the common colour-vision deficiencies, from unlikely (dark purple) to certain
 * (yellow). Yellow is faint on white, so every node also has a dark outline (style.ts).
 */
export const PROBABILITY_STOPS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

export function probabilityColor(logprob: number): string {
  return rampColor(PROBABILITY_STOPS, Math.min(1, Math.max(0, Math.exp(logprob))));
}

/** The colour at `at` (0–1) along a ramp of evenly spaced stops. */
function rampColor(stops: [number, number, number][], at: number): string {
  const scaled = at * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(scaled));
  const t = scaled - i;
  const [a, b] = [stops[i]!, stops[i + 1]!];
  const mix = (k: number) => Math.round(a[k]! + (b[k]! - a[k]!) * t);
  return `rgb(${mix(0)},${mix(1)},${mix(2)})`;
}

/** The same ramp as a CSS gradient, for the legend. */
export const probabilityGradient = `linear-gradient(90deg, ${PROBABILITY_STOPS.map(([r, g, b]) => `rgb(${r},${g},${b})`).join(', ')})`;

/**
 * Node colour by the entropy of the next-token distribution at the node (how unsure the model is there):
 * inferno, dark when certain and bright where the model hesitates, so it never reads as the probability
 * scale. The scale is logarithmic from ENTROPY_SCALE_MIN to ENTROPY_SCALE_MAX nats: a trained model is
 * nearly certain at most tokens, and the thresholds that matter for branching (entropix's 0.1 bit is
 * 0.069 nats) sit far below 1 nat, where a linear scale would draw everything the same dark colour.
 */
export const ENTROPY_STOPS: [number, number, number][] = [
  [0, 0, 4],
  [87, 16, 110],
  [188, 55, 84],
  [249, 142, 9],
  [252, 255, 164],
];
export const ENTROPY_SCALE_MIN = 0.01;
export const ENTROPY_SCALE_MAX = 3;
/** nodes never evaluated (leaves) have no entropy */
export const NO_ENTROPY_COLOR = '#dee2e6';

export function entropyColor(entropy: number | undefined): string {
  if (entropy === undefined) return NO_ENTROPY_COLOR;
  return entropyColorAt(entropyScale(entropy));
}

/** The entropy colour at a point of its scale, 0–1. */
export function entropyColorAt(at: number): string {
  return rampColor(ENTROPY_STOPS, at);
}

/** Where an entropy sits on the colour scale, 0–1. */
export function entropyScale(entropy: number): number {
  const at = Math.log(entropy / ENTROPY_SCALE_MIN) / Math.log(ENTROPY_SCALE_MAX / ENTROPY_SCALE_MIN);
  return Math.min(1, Math.max(0, at));
}

export const entropyGradient = `linear-gradient(90deg, ${ENTROPY_STOPS.map(([r, g, b]) => `rgb(${r},${g},${b})`).join(', ')})`;

export type ColorBy = 'probability' | 'entropy';

/** A node's colour under the chosen scale. */
export function nodeColor(colorBy: ColorBy, node: { logprob: number; entropy?: number }): string {
  return colorBy === 'entropy' ? entropyColor(node.entropy) : probabilityColor(node.logprob);
}
