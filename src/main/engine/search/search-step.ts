import type { NodeEvaluation } from '../runtime/evaluator';
import type { TreeDraft } from '../tree/tree-store';
import type { SearchContext } from './search-context';
import { checkNodeCap } from './run-limits';

export interface SearchStep<T, P = undefined> {
  /** the nodes whose next-token distributions this step needs (one batched evaluation) */
  evaluate: number[];
  hiddenStates?: boolean;
  /**
   * The previous step's nodes when this step is the last to read their caches (a beam's previous beams, a BFS
   * level's previous level): their cache block may become this step's batch in place, and they are released after.
   */
  reuses?: number[];
  /** asynchronous work on the evaluations before they are recorded (e.g. a lens over their hidden states) */
  prepare?(evaluations: NodeEvaluation[]): Promise<P>;
  /** writes the step into the tree; runs inside one tree update, so a step is one batch of patches */
  record(draft: TreeDraft, evaluations: NodeEvaluation[], prepared: P): T;
  /** caches the search will not extend again (default: the first parents of the evaluated nodes) */
  release?(result: T): Iterable<number>;
  /** progress after the step: fraction done and a line for the user (null: none, e.g. after the last step) */
  progress(result: T): [number, string] | null;
}

/** The first parents of these nodes: a frontier's parents are not extended again once it is evaluated. */
export function parentsOf(ctx: SearchContext, nodeIds: readonly number[]): number[] {
  if (nodeIds.length === 1) {
    const parent = ctx.tree.node(nodeIds[0]!).parents[0];
    return parent === undefined ? [] : [parent];
  }
  const parents = new Set<number>();
  for (const id of nodeIds) {
    const parent = ctx.tree.node(id).parents[0];
    if (parent !== undefined) parents.add(parent);
  }
  return [...parents];
}

/**
 * One step of any strategy, in one shape: checkpoint (cancel) → evaluate the nodes in one batched call →
 * record the step in one tree update → release caches that are done with → report progress.
 */
export async function searchStep<T, P = undefined>(
  ctx: SearchContext,
  step: SearchStep<T, P>,
): Promise<{ evaluations: NodeEvaluation[]; result: T }> {
  ctx.checkpoint();
  const evaluations = await ctx.evaluator.evaluate(
    step.evaluate,
    step.hiddenStates || step.reuses
      ? { hiddenStates: step.hiddenStates, reusable: step.reuses && new Set(step.reuses) }
      : undefined,
  );
  const prepared = step.prepare ? await step.prepare(evaluations) : (undefined as P);
  const result = ctx.tree.update((draft) => step.record(draft, evaluations, prepared));
  // the backstop for strategies that cannot count a step's nodes beforehand
  checkNodeCap(
    ctx.tree.size,
    0,
    ctx.maxNodes,
    'the settings that widen the search (width, top-k, n) or max-new-tokens',
  );
  ctx.evaluator.release(step.release ? step.release(result) : parentsOf(ctx, step.evaluate));
  if (step.reuses) ctx.evaluator.release(step.reuses);
  const progress = step.progress(result);
  if (progress) ctx.progress(...progress);
  return { evaluations, result };
}
