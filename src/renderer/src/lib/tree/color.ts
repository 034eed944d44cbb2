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
  const p = Math.min(1, Math.max(0, Math.exp(logprob)));
  const scaled = p * (PROBABILITY_STOPS.length - 1);
  const i = Math.min(PROBABILITY_STOPS.length - 2, Math.floor(scaled));
  const t = scaled - i;
  const [a, b] = [PROBABILITY_STOPS[i]!, PROBABILITY_STOPS[i + 1]!];
  const mix = (k: number) => Math.round(a[k]! + (b[k]! - a[k]!) * t);
  return `rgb(${mix(0)},${mix(1)},${mix(2)})`;
}

/** The same ramp as a CSS gradient, for the legend. */
export const probabilityGradient = `linear-gradient(90deg, ${PROBABILITY_STOPS.map(([r, g, b]) => `rgb(${r},${g},${b})`).join(', ')})`;
