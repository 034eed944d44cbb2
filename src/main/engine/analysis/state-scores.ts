import { SeededRandom } from '../sampling/seeded-random';

/**
 * Weighted clustering scores (purity, NMI) of latent states against true concepts, their chance level under a
 * random assignment of the same state labels, and the pooled summary over depths that `eval` reports.
 *
 * Items are (state, concept, weight). With weight 1 every hypothesis counts once ("count" weighting); with its path
 * probability a hypothesis counts by how likely it is ("mass" weighting). The chance level keeps the state sizes and
 * the concepts and shuffles which hypothesis got which state: exact (every permutation) when the items are few,
 * else the mean over seeded random permutations.
 */

export interface WeightedItems {
  /** small integer codes */
  states: Int32Array;
  concepts: Int32Array;
  weights: Float64Array;
}

/** Codes arbitrary labels as 0..k-1 in order of first appearance. */
export function codeLabels<T>(values: readonly T[]): Int32Array {
  const codes = new Map<T, number>();
  const out = new Int32Array(values.length);
  values.forEach((v, i) => {
    let c = codes.get(v);
    if (c === undefined) codes.set(v, (c = codes.size));
    out[i] = c;
  });
  return out;
}

function table(states: Int32Array, concepts: Int32Array, weights: Float64Array) {
  let s = 0;
  let c = 0;
  for (let i = 0; i < states.length; i++) {
    s = Math.max(s, states[i]! + 1);
    c = Math.max(c, concepts[i]! + 1);
  }
  const joint = new Float64Array(s * c);
  const byState = new Float64Array(s);
  const byConcept = new Float64Array(c);
  let total = 0;
  for (let i = 0; i < states.length; i++) {
    const w = weights[i]!;
    joint[states[i]! * c + concepts[i]!] += w;
    byState[states[i]!] += w;
    byConcept[concepts[i]!] += w;
    total += w;
  }
  return { s, c, joint, byState, byConcept, total };
}

/** Weighted purity: Σ over states of the weight of its heaviest concept, over the total weight (1 when empty). */
export function weightedPurity(states: Int32Array, concepts: Int32Array, weights: Float64Array): number {
  const { s, c, joint, total } = table(states, concepts, weights);
  if (total <= 0) return 1;
  let agree = 0;
  for (let i = 0; i < s; i++) {
    let best = 0;
    for (let j = 0; j < c; j++) best = Math.max(best, joint[i * c + j]!);
    agree += best;
  }
  // rounding can land a hair above 1
  return Math.min(1, agree / total);
}

function entropyOf(p: Float64Array, total: number): number {
  let h = 0;
  for (const x of p) if (x > 0) h -= (x / total) * Math.log(x / total);
  return h;
}

/**
 * Weighted NMI, arithmetic-mean normalisation (scikit-learn's default) over the weighted joint distribution:
 * I(S; C) / ((H(S) + H(C)) / 2). Both sides one block: 1; only one side one block: 0.
 */
export function weightedNmi(states: Int32Array, concepts: Int32Array, weights: Float64Array): number {
  const { s, c, joint, byState, byConcept, total } = table(states, concepts, weights);
  if (total <= 0) return 1;
  const hs = entropyOf(byState, total);
  const hc = entropyOf(byConcept, total);
  if (hs === 0 && hc === 0) return 1;
  let mi = 0;
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < c; j++) {
      const p = joint[i * c + j]!;
      if (p > 0) mi += (p / total) * Math.log((p * total) / (byState[i]! * byConcept[j]!));
    }
  }
  const denominator = (hs + hc) / 2;
  if (denominator <= 0) return 1;
  return Math.min(1, Math.max(0, mi / denominator));
}

/** Item counts up to this enumerate every permutation of the state labels (7! = 5040) for an exact chance level. */
export const EXACT_CHANCE_MAX_ITEMS = 7;
/** Random permutations behind a chance level that is not exact. */
export const CHANCE_PERMUTATIONS = 200;

export interface ChanceLevel {
  purity: number;
  nmi: number;
  /** true: the mean over every permutation; false: over `permutations` seeded random ones */
  exact: boolean;
  permutations: number;
}

function* allPermutations(n: number): Generator<Int32Array> {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  const c = new Int32Array(n);
  yield p;
  // Heap's algorithm: each permutation once
  let i = 0;
  while (i < n) {
    if (c[i]! < i) {
      const j = i % 2 === 0 ? 0 : c[i]!;
      [p[j], p[i]] = [p[i]!, p[j]!];
      yield p;
      c[i]!++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
}

/**
 * The expected purity and NMI when the state labels are assigned to the items at random (state sizes, concepts and
 * weights kept): the mean over all permutations of which item holds which state label when there are at most
 * `EXACT_CHANCE_MAX_ITEMS` items, else over `permutations` seeded Fisher–Yates shuffles.
 */
export function chanceLevel(items: WeightedItems, seed: number, permutations = CHANCE_PERMUTATIONS): ChanceLevel {
  const n = items.states.length;
  const shuffled = new Int32Array(n);
  let purity = 0;
  let nmi = 0;
  let count = 0;
  const score = (order: Int32Array) => {
    for (let i = 0; i < n; i++) shuffled[i] = items.states[order[i]!]!;
    purity += weightedPurity(shuffled, items.concepts, items.weights);
    nmi += weightedNmi(shuffled, items.concepts, items.weights);
    count++;
  };
  if (n <= EXACT_CHANCE_MAX_ITEMS) {
    for (const order of allPermutations(n)) score(order);
    return { purity: Math.min(1, purity / count), nmi: Math.min(1, nmi / count), exact: true, permutations: count };
  }
  const random = new SeededRandom(seed);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < permutations; r++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random.next() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    score(order);
  }
  return { purity: Math.min(1, purity / count), nmi: Math.min(1, nmi / count), exact: false, permutations: count };
}

/** One weighting's numbers at one depth. */
export interface WeightedDepthScore {
  /** the depth's total weight (hypotheses for count weighting, probability mass for mass weighting) */
  weight: number;
  purity: number;
  nmi: number;
  purityChance: number;
  nmiChance: number;
}

/** Purity, NMI and their chance levels of one depth's items under one weighting. */
export function scoreWeighted(items: WeightedItems, seed: number): WeightedDepthScore {
  const chance = chanceLevel(items, seed);
  return {
    weight: items.weights.reduce((a, b) => a + b, 0),
    purity: weightedPurity(items.states, items.concepts, items.weights),
    nmi: weightedNmi(items.states, items.concepts, items.weights),
    purityChance: chance.purity,
    nmiChance: chance.nmi,
  };
}

export interface PooledScore {
  /** depths pooled (those with at least two true concepts) */
  depths: number;
  /** their total weight */
  weight: number;
  purity: number;
  purityChance: number;
  /** purity − its chance level */
  purityLift: number;
  nmi: number;
  nmiChance: number;
  nmiLift: number;
}

/** The weighted mean over depths (weight = each depth's total weight) of the scores and their chance levels. */
export function poolDepths(depths: readonly WeightedDepthScore[]): PooledScore | null {
  const used = depths.filter((d) => d.weight > 0);
  const weight = used.reduce((s, d) => s + d.weight, 0);
  if (used.length === 0 || weight <= 0) return null;
  const mean = (f: (d: WeightedDepthScore) => number) => used.reduce((s, d) => s + f(d) * d.weight, 0) / weight;
  const purity = mean((d) => d.purity);
  const purityChance = mean((d) => d.purityChance);
  const nmi = mean((d) => d.nmi);
  const nmiChance = mean((d) => d.nmiChance);
  return {
    depths: used.length,
    weight,
    purity,
    purityChance,
    purityLift: purity - purityChance,
    nmi,
    nmiChance,
    nmiLift: nmi - nmiChance,
  };
}
