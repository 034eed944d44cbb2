import type { TaskContext } from '../search/task-context';
import { parseStrategyAnalysis, type StateScore } from '../../../shared/analysis';

/**
 * Scores the lab's latent views against the bundled task's ground truth. Everything here is generic: labels are
 * any strings or numbers, concepts are words, and token texts are mapped to concepts by their text.
 */

function counts<T>(values: readonly T[]): Map<T, number> {
  const out = new Map<T, number>();
  for (const v of values) out.set(v, (out.get(v) ?? 0) + 1);
  return out;
}

/** Purity of a clustering: Σ over clusters of its most common true label, divided by the number of items. 1 for an empty input. */
export function purity<C, L>(clusters: readonly C[], labels: readonly L[]): number {
  if (clusters.length !== labels.length) throw new Error('clusters and labels differ in length');
  if (clusters.length === 0) return 1;
  const byCluster = new Map<C, L[]>();
  clusters.forEach((c, i) => {
    const list = byCluster.get(c);
    if (list) list.push(labels[i]!);
    else byCluster.set(c, [labels[i]!]);
  });
  let agree = 0;
  for (const members of byCluster.values()) agree += Math.max(...counts(members).values());
  return agree / clusters.length;
}

function entropy(c: Map<unknown, number>, n: number): number {
  let h = 0;
  for (const k of c.values()) h -= (k / n) * Math.log(k / n);
  return h;
}

/**
 * Normalized mutual information, arithmetic-mean normalisation (scikit-learn's default):
 * NMI = I(C; L) / ((H(C) + H(L)) / 2). Two single-block partitions agree perfectly (1); when only one side is a
 * single block the information is 0.
 */
export function normalizedMutualInformation<C, L>(clusters: readonly C[], labels: readonly L[]): number {
  if (clusters.length !== labels.length) throw new Error('clusters and labels differ in length');
  const n = clusters.length;
  if (n === 0) return 1;
  const cc = counts(clusters);
  const lc = counts(labels);
  if (cc.size === 1 && lc.size === 1) return 1;
  const joint = counts(clusters.map((c, i) => JSON.stringify([c, labels[i]])));
  let mi = 0;
  for (const [key, k] of joint) {
    const [c, l] = JSON.parse(key) as [C, L];
    mi += (k / n) * Math.log((k * n) / (cc.get(c)! * lc.get(l)!));
  }
  const denominator = (entropy(cc, n) + entropy(lc, n)) / 2;
  if (denominator <= 0) return 1;
  return Math.min(1, Math.max(0, mi / denominator));
}

/** Recall at k: the share of the true items found among the first k predictions (1 when there is nothing to find). */
export function recallAtK(ranked: readonly string[], truth: readonly string[], k = ranked.length): number {
  const want = new Set(truth);
  if (want.size === 0) return 1;
  const found = new Set(ranked.slice(0, k).filter((x) => want.has(x)));
  return found.size / want.size;
}

/**
 * The true breadth-first frontier continuous thought `index` (0-based) should superpose: the concepts reachable from
 * the start in index + 1 steps (frontiers[0] is the start itself). Undefined past the chain.
 */
export function thoughtFrontier(task: TaskContext, index: number): string[] | undefined {
  return task.frontiers[index + 1];
}

/** Frontier recall of one thought: its big-logit tokens (texts) against the true next frontier. */
export function thoughtFrontierRecall(bigTokenTexts: readonly string[], task: TaskContext, index: number): number | undefined {
  const frontier = thoughtFrontier(task, index);
  if (!frontier) return undefined;
  return recallAtK(bigTokenTexts.map((t) => t.trim()), frontier);
}

/**
 * The current concept of a hypothesis: the last concept word among its token texts (prompt excluded), or the
 * task's start concept when it has produced none yet. Along the reference chain this is the true current concept.
 */
export function currentConceptOf(tokenTexts: readonly string[], task: TaskContext): string | null {
  const concepts = new Set(task.frontiers.flat());
  for (const c of task.currentConcepts) concepts.add(c);
  for (let i = tokenTexts.length - 1; i >= 0; i--) {
    const word = tokenTexts[i]!.trim();
    if (concepts.has(word)) return word;
  }
  return task.currentConcepts[0] ?? null;
}

/** Purity and NMI of the HMM states at each depth against a concept per hypothesis (hypotheses without one skipped). */
export function scoreStatesPerDepth(
  depths: readonly { depth: number; members: readonly { nodeId: number; state: number }[] }[],
  conceptOf: (nodeId: number) => string | null,
): StateScore[] {
  return depths.map(({ depth, members }) => {
    const known = members.map((m) => ({ state: m.state, concept: conceptOf(m.nodeId) })).filter((m) => m.concept !== null);
    const states = known.map((m) => m.state);
    const concepts = known.map((m) => m.concept!);
    return { depth, n: known.length, purity: purity(states, concepts), nmi: normalizedMutualInformation(states, concepts) };
  });
}

export interface GroundTruthSummary {
  /** HMM: mean purity over depths with at least two hypotheses, weighted by their size */
  purity?: number;
  /** HMM: mean NMI over the same depths, same weights */
  nmi?: number;
  /** latent: mean frontier recall of the thoughts that have a true frontier */
  frontierRecall?: number;
}

/**
 * One line per run for `eval`: the ground-truth scores a run's `result.analysis` carries (HMM trellis or latent
 * thoughts), or null when it has none. Depths with a single hypothesis are left out (they agree trivially).
 */
export function groundTruthSummary(analysis: unknown): GroundTruthSummary | null {
  const parsed = parseStrategyAnalysis(analysis);
  if (!parsed) return null;
  if (parsed.kind === 'hmm-trellis') {
    const depths = (parsed.groundTruth ?? []).filter((g) => g.n >= 2);
    if (depths.length === 0) return null;
    const total = depths.reduce((s, g) => s + g.n, 0);
    return {
      purity: depths.reduce((s, g) => s + g.purity * g.n, 0) / total,
      nmi: depths.reduce((s, g) => s + g.nmi * g.n, 0) / total,
    };
  }
  if (parsed.kind === 'latent-thoughts' && parsed.meanFrontierRecall !== undefined) return { frontierRecall: parsed.meanFrontierRecall };
  return null;
}
