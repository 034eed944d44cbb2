import type { TaskContext } from '../search/task-context';
import { parseStrategyAnalysis, type StateScore, type StateScoreSummary } from '../../../shared/analysis';
import { codeLabels, poolDepths, scoreWeighted, weightedNmi, weightedPurity } from './state-scores';

/**
 * Scores the lab's latent views against the bundled task's ground truth. Everything here is generic: labels are
 * any strings or numbers, concepts are words, and token texts are mapped to concepts by their text.
 */

/** Purity of a clustering: Σ over clusters of its most common true label, divided by the number of items. 1 for an empty input. */
export function purity<C, L>(clusters: readonly C[], labels: readonly L[]): number {
  if (clusters.length !== labels.length) throw new Error('clusters and labels differ in length');
  return weightedPurity(codeLabels(clusters), codeLabels(labels), new Float64Array(clusters.length).fill(1));
}

/**
 * Normalized mutual information, arithmetic-mean normalisation (scikit-learn's default):
 * NMI = I(C; L) / ((H(C) + H(L)) / 2). Two single-block partitions agree perfectly (1); when only one side is a
 * single block the information is 0.
 */
export function normalizedMutualInformation<C, L>(clusters: readonly C[], labels: readonly L[]): number {
  if (clusters.length !== labels.length) throw new Error('clusters and labels differ in length');
  return weightedNmi(codeLabels(clusters), codeLabels(labels), new Float64Array(clusters.length).fill(1));
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
export function thoughtFrontierRecall(
  bigTokenTexts: readonly string[],
  task: TaskContext,
  index: number,
): number | undefined {
  const frontier = thoughtFrontier(task, index);
  if (!frontier) return undefined;
  return recallAtK(
    bigTokenTexts.map((t) => t.trim()),
    frontier,
  );
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

/**
 * Purity and NMI of the HMM states at each depth against a concept per hypothesis (hypotheses without one skipped),
 * counted once per hypothesis and weighted by path probability (`logMass`), each with its chance level. The chance
 * permutations are seeded by `seed` and the depth, so a run's scores are reproducible.
 */
export function scoreStatesPerDepth(
  depths: readonly { depth: number; members: readonly { nodeId: number; state: number; logMass?: number }[] }[],
  conceptOf: (nodeId: number) => string | null,
  seed = 0,
): StateScore[] {
  return depths.map(({ depth, members }) => {
    const known = members.map((m) => ({ ...m, concept: conceptOf(m.nodeId) })).filter((m) => m.concept !== null);
    const states = codeLabels(known.map((m) => m.state));
    const concepts = codeLabels(known.map((m) => m.concept!));
    const depthSeed = seed + 7919 * depth;
    const count = scoreWeighted({ states, concepts, weights: new Float64Array(known.length).fill(1) }, depthSeed);
    const mass = scoreWeighted(
      { states, concepts, weights: Float64Array.from(known, (m) => Math.exp(m.logMass ?? 0)) },
      depthSeed,
    );
    return {
      depth,
      n: known.length,
      purity: count.purity,
      nmi: count.nmi,
      concepts: new Set(known.map((m) => m.concept)).size,
      purityChance: count.purityChance,
      nmiChance: count.nmiChance,
      mass,
    };
  });
}

/**
 * Pools per-depth state scores (of one run or of many) over the depths that hold at least two true concepts: a depth
 * with one concept scores 1 whatever the states are. Count weighting weights a depth by its hypotheses, mass
 * weighting by their summed probability. Null when no depth qualifies or the scores predate the chance levels.
 */
export function summarizeStateScores(scores: readonly StateScore[]): StateScoreSummary | null {
  const used = scores.filter(
    (s) => (s.concepts ?? 0) >= 2 && s.purityChance !== undefined && s.nmiChance !== undefined && s.mass,
  );
  const count = poolDepths(
    used.map((s) => ({
      weight: s.n,
      purity: s.purity,
      nmi: s.nmi,
      purityChance: s.purityChance!,
      nmiChance: s.nmiChance!,
    })),
  );
  const mass = poolDepths(used.map((s) => s.mass!));
  return count && mass ? { count, mass } : null;
}

export interface GroundTruthSummary {
  /** HMM: purity and NMI with their chance levels, pooled over depths with at least two true concepts */
  states?: StateScoreSummary;
  /** latent: mean frontier recall of the thoughts that have a true frontier */
  frontierRecall?: number;
}

/** One line per run: the ground-truth scores a run's `result.analysis` carries (HMM trellis or latent thoughts), or null. */
export function groundTruthSummary(analysis: unknown): GroundTruthSummary | null {
  const parsed = parseStrategyAnalysis(analysis);
  if (!parsed) return null;
  if (parsed.kind === 'hmm-trellis') {
    const states = summarizeStateScores(parsed.groundTruth ?? []);
    return states ? { states } : null;
  }
  if (parsed.kind === 'latent-thoughts' && parsed.meanFrontierRecall !== undefined)
    return { frontierRecall: parsed.meanFrontierRecall };
  return null;
}
