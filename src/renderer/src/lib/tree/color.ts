/**
 * Node colour by the token's probability (exp of its log-probability): a perceptually ordered ramp
 * (viridis stops) from unlikely (dark purple) to certain (yellow).
 */
const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

export function probabilityColor(logprob: number): string {
  const p = Math.min(1, Math.max(0, Math.exp(logprob)));
  const scaled = p * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(scaled));
  const t = scaled - i;
  const [a, b] = [STOPS[i]!, STOPS[i + 1]!];
  const mix = (k: number) => Math.round(a[k]! + (b[k]! - a[k]!) * t);
  return `rgb(${mix(0)},${mix(1)},${mix(2)})`;
}
