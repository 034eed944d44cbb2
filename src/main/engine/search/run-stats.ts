import type { RunStats } from '../../../shared/run';
import type { TreeState } from '../../../shared/tree';
import type { EvaluatorStats } from '../runtime/evaluator';

/** Counts derived from the final tree, so that they can never disagree with what is drawn or exported. */
export function computeRunStats(
  tree: TreeState,
  evaluator: EvaluatorStats,
  peakKvBytes: number,
  wallTimeMs: number,
): RunStats {
  let expanded = 0;
  let pruned = 0;
  let merged = 0;
  let coveredMass = 0;
  for (const id of tree.order) {
    const node = tree.nodes[id]!;
    if (node.status === 'expanded') expanded++;
    else if (node.status === 'pruned') pruned++;
    else if (node.status === 'merged') merged++;
    else if (node.status === 'finished') coveredMass += Math.exp(node.forwardLogMass ?? node.score);
  }
  return {
    nodesCreated: tree.order.length,
    nodesExpanded: expanded,
    nodesPruned: pruned,
    nodesMerged: merged,
    forwardPasses: evaluator.forwardPasses,
    tokensEvaluated: evaluator.tokensEvaluated,
    wallTimeMs,
    peakKvBytes,
    coveredMass: Math.min(1, coveredMass),
  };
}
