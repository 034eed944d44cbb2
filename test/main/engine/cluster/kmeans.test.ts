import { describe, expect, it } from 'vitest';
import { kmeans } from '../../../../src/main/engine/cluster/kmeans';
import { SeededRandom } from '../../../../src/main/engine/sampling/seeded-random';

function blobs(seed: number): { points: number[][]; truth: number[] } {
  const random = new SeededRandom(seed);
  const centres = [
    [0, 0, 0],
    [10, 0, 0],
    [0, 10, 5],
  ];
  const points: number[][] = [];
  const truth: number[] = [];
  for (let i = 0; i < 60; i++) {
    const c = i % 3;
    points.push(centres[c]!.map((x) => x + (random.next() - 0.5)));
    truth.push(c);
  }
  return { points, truth };
}

describe('k-means++', () => {
  it('is deterministic for a seed', () => {
    const { points } = blobs(1);
    const a = kmeans(points, 4, 7);
    const b = kmeans(points, 4, 7);
    expect(a.labels).toEqual(b.labels);
    expect(a.centroids.map((c) => Array.from(c))).toEqual(b.centroids.map((c) => Array.from(c)));
  });

  it('recovers well-separated blobs exactly (any seed)', () => {
    const { points, truth } = blobs(2);
    for (const seed of [0, 1, 2, 3]) {
      const { labels, k } = kmeans(points, 3, seed);
      expect(k).toBe(3);
      // same partition: labels map one-to-one onto the truth
      const map = new Map<number, number>();
      labels.forEach((l, i) => {
        if (!map.has(l)) map.set(l, truth[i]!);
        expect(map.get(l)).toBe(truth[i]);
      });
      expect(new Set(map.values()).size).toBe(3);
      // labels numbered by first appearance
      expect(labels[0]).toBe(0);
    }
  });

  it('centroids are the means of their members', () => {
    const { points } = blobs(3);
    const { labels, centroids } = kmeans(points, 3, 5);
    centroids.forEach((c, j) => {
      const members = points.filter((_, i) => labels[i] === j);
      for (let d = 0; d < 3; d++) expect(c[d]).toBeCloseTo(members.reduce((s, p) => s + p[d]!, 0) / members.length, 10);
    });
  });

  it('uses at most k clusters, fewer for duplicate points or small inputs', () => {
    expect(kmeans([[1], [1], [1]], 3, 0).k).toBe(1);
    expect(kmeans([[1], [2]], 5, 0).labels).toEqual([0, 1]);
    expect(kmeans([[1], [2], [3], [4]], 1, 0).labels).toEqual([0, 0, 0, 0]);
    expect(kmeans([], 3, 0).k).toBe(0);
  });
});
