import { SeededRandom } from '../sampling/seeded-random';

export interface KMeansResult {
  /** cluster per point, numbered 0..k-1 in order of first appearance */
  labels: number[];
  /** one centroid per cluster, in label order */
  centroids: Float64Array[];
  /** clusters actually used (≤ the cap: duplicate points or fewer points than k give fewer) */
  k: number;
  iterations: number;
}

function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! - b[i]!;
    d += x * x;
  }
  return d;
}

function nearest(point: ArrayLike<number>, centroids: Float64Array[]): number {
  let best = 0;
  let bestDistance = Infinity;
  centroids.forEach((c, j) => {
    const d = squaredDistance(point, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = j;
    }
  });
  return best;
}

/**
 * k-means with k-means++ seeding (Arthur & Vassilvitskii 2007): the first centre uniformly, each next one with
 * probability proportional to the squared distance to the nearest centre chosen so far; then Lloyd iterations
 * until the assignment stops changing. Deterministic for a seed (ties go to the lower index). At most k clusters:
 * seeding stops early when every point coincides with a centre, and empty clusters are dropped.
 */
export function kmeans(
  points: readonly ArrayLike<number>[],
  k: number,
  seed: number,
  maxIterations = 100,
): KMeansResult {
  const n = points.length;
  if (n === 0) return { labels: [], centroids: [], k: 0, iterations: 0 };
  if (k < 1) throw new Error('k-means needs k ≥ 1');
  const random = new SeededRandom(seed);
  const centroids: Float64Array[] = [Float64Array.from(points[Math.floor(random.next() * n)]!)];
  const d2 = points.map((p) => squaredDistance(p, centroids[0]!));
  while (centroids.length < Math.min(k, n)) {
    const total = d2.reduce((a, b) => a + b, 0);
    if (total <= 0) break;
    let u = random.next() * total;
    let chosen = -1;
    for (let i = 0; i < n; i++) {
      if (d2[i]! <= 0) continue;
      chosen = i;
      u -= d2[i]!;
      if (u < 0) break;
    }
    const centre = Float64Array.from(points[chosen]!);
    centroids.push(centre);
    for (let i = 0; i < n; i++) d2[i] = Math.min(d2[i]!, squaredDistance(points[i]!, centre));
  }
  const dim = points[0]!.length;
  let labels = points.map((p) => nearest(p, centroids));
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const sums = centroids.map(() => new Float64Array(dim));
    const sizes = centroids.map(() => 0);
    points.forEach((p, i) => {
      const s = sums[labels[i]!]!;
      for (let d = 0; d < dim; d++) s[d]! += p[d]!;
      sizes[labels[i]!]!++;
    });
    centroids.forEach((c, j) => {
      if (sizes[j]! > 0) for (let d = 0; d < dim; d++) c[d] = sums[j]![d]! / sizes[j]!;
    });
    const next = points.map((p) => nearest(p, centroids));
    const changed = next.some((l, i) => l !== labels[i]);
    labels = next;
    if (!changed) break;
  }
  // renumber by first appearance, dropping empty clusters
  const renumber = new Map<number, number>();
  for (const l of labels) if (!renumber.has(l)) renumber.set(l, renumber.size);
  const ordered: Float64Array[] = [];
  for (const [old, fresh] of renumber) ordered[fresh] = centroids[old]!;
  return { labels: labels.map((l) => renumber.get(l)!), centroids: ordered, k: renumber.size, iterations };
}
