import type { TreeNode, TreeState } from '../../../shared/tree';
import { runSearch, type RunOutput, type RunRequest } from '../search/run-search';
import { computeRunStats } from '../search/run-stats';
import type { SearchContext } from '../search/search-context';
import { addNode, type NewNode } from '../tree/tree-store';
import { Evaluator } from '../runtime/evaluator';
import { lineageOfTree } from '../lens/logit-lens';
import type { ResidualInputs } from './compile';

export class ForkRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ForkRefusedError';
  }
}

export interface ForkRequest extends Omit<RunRequest, 'start' | 'residualDelta' | 'residualAblate'> {
  /** the tree to fork (a finished or imported run's) */
  source: TreeState;
  nodeId: number;
  intervention: ResidualInputs;
  /** marks the new nodes, e.g. "steer ×4 toward.json" */
  label: string;
}

export interface ForkOutput extends RunOutput {
  /** the node the new subtree grows from: the fork node's steered twin, or the root when forking the prompt */
  startId: number;
  /** ids from here on are the fork's */
  firstNewId: number;
}

/** Plain evaluations for the Δlogprob run in chunks, so a wide fork never holds every distribution at once. */
const PLAIN_CHUNK = 64;

/** What a copied node keeps: everything but its id (the store allocates the same ids in the same order). */
function copyFields(node: TreeNode): NewNode {
  const { id: _id, ...fields } = node;
  return structuredClone(fields);
}

/**
 * Grows a subtree from any node with an intervention on. The new tree is the source tree plus, for a token
 * node, a twin of it under the same parent (its input is fed again with the intervention on, so its children
 * see it) from which the strategy runs; for the prompt root, the strategy runs from the root itself under the
 * intervention (the source's unsteered children stay as siblings). Everything before the fork node is evaluated
 * without the intervention. Each new token gets the log-probability it has on the same path without it.
 */
export async function runFork(request: ForkRequest): Promise<ForkOutput> {
  const { source, nodeId, label } = request;
  const target = source.nodes[nodeId];
  if (!target) throw new ForkRefusedError(`the tree has no node ${nodeId}`);
  source.order.forEach((id, i) => {
    if (id !== i) throw new ForkRefusedError('the tree is not in creation order (ids must be 0, 1, 2, …)');
  });
  if (target.status === 'merged')
    throw new ForkRefusedError(`node ${nodeId} was merged into node ${target.mergedInto}: fork from that state`);
  for (
    let n: TreeNode | undefined = target;
    n;
    n = n.parents[0] === undefined ? undefined : source.nodes[n.parents[0]]
  ) {
    if (n.kind === 'thought')
      throw new ForkRefusedError(
        'a continuous thought on the path cannot be re-evaluated: fork from a node of a path of tokens',
      );
  }
  const isRoot = nodeId === source.rootId;
  const firstNewId = source.order.length;
  const startId = isRoot ? source.rootId : firstNewId;
  const rootBefore = source.nodes[source.rootId]!;

  const finish = async (ctx: SearchContext) => {
    ctx.checkpoint();
    const tree = ctx.tree;
    const fresh = tree.state.order.filter((id) => id >= firstNewId);
    const parents = [...new Set(fresh.filter((id) => id !== startId).map((id) => tree.node(id).parents[0]!))];
    const plain = new Evaluator(ctx.model, lineageOfTree(tree.state, ctx.promptIds));
    const plainLogprob = new Map<number, number>();
    try {
      for (let i = 0; i < parents.length; i += PLAIN_CHUNK) {
        ctx.checkpoint();
        const chunk = parents.slice(i, i + PLAIN_CHUNK);
        const evaluations = await plain.evaluate(chunk);
        const byParent = new Map(evaluations.map((e) => [e.nodeId, e]));
        for (const id of fresh) {
          const node = tree.node(id);
          const e = byParent.get(node.parents[0]!);
          if (e && node.tokenId !== null) plainLogprob.set(id, e.logprobs[node.tokenId]!);
        }
        plain.release(chunk);
      }
    } finally {
      plain.cache.clear();
    }
    tree.update((draft) => {
      for (const id of fresh) {
        const node = draft.nodes[id]!;
        node.intervention = label;
        const parent = draft.nodes[node.parents[0]!]!;
        // strategies count depth from where they start; in the whole tree it continues from the fork node
        node.depth = parent.depth + 1;
        const lp = plainLogprob.get(id);
        if (lp !== undefined) node.plainLogprob = lp;
      }
      if (isRoot) {
        // the root was evaluated under the intervention; its recorded distribution stays the unsteered one
        const root = draft.nodes[source.rootId]!;
        root.status = rootBefore.status;
        if (rootBefore.entropy !== undefined) root.entropy = rootBefore.entropy;
        if (rootBefore.topk) root.topk = structuredClone(rootBefore.topk);
      }
    });
  };

  const out = await runSearch({
    ...request,
    ...request.intervention,
    start: {
      build: (tree) => {
        tree.update((draft) => {
          Object.assign(draft.nodes[source.rootId]!, copyFields(rootBefore));
          for (const id of source.order.slice(1)) addNode(draft, copyFields(source.nodes[id]!));
          if (!isRoot) {
            const {
              topk: _t,
              entropy: _e,
              lens: _l,
              latent: _la,
              state: _s,
              forwardLogMass: _f,
              mergedInto: _m,
              ...twin
            } = copyFields(target);
            addNode(draft, {
              ...twin,
              parents: [target.parents[0]!],
              status: 'frontier',
              intervention: label,
              plainLogprob: target.logprob,
            });
          }
        });
        return startId;
      },
      plain: (id) => !isRoot && id < startId,
      finish,
    },
  });
  const own: TreeState = { ...out.tree, order: out.tree.order.filter((id) => id >= firstNewId) };
  const { forwardPasses, tokensEvaluated, peakKvBytes, wallTimeMs } = out.stats;
  const stats = computeRunStats(own, { forwardPasses, tokensEvaluated, recomputedPasses: 0 }, peakKvBytes, wallTimeMs);
  return { ...out, stats, startId, firstNewId };
}
