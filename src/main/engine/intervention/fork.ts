import type { TreeNode, TreeState } from '../../../shared/tree';
import { encodePrompt, runSearch, type RunOutput, type RunRequest } from '../search/run-search';
import { computeRunStats } from '../search/run-stats';
import type { SearchContext } from '../search/search-context';
import { addNode, type NewNode } from '../tree/tree-store';
import { Evaluator } from '../runtime/evaluator';
import { lineageOfTree } from '../lens/logit-lens';
import { pathTo } from '../../../shared/tree-sync';
import type { ResidualInputs } from './compile';
import {
  DEFAULT_THOUGHT_RECIPE,
  rebuildContent,
  rebuildForkPrefix,
  recipeOf,
  ThoughtRebuildError,
  type ThoughtRecipe,
} from './thought-prefix';

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
  /**
   * How the source's continuous thoughts were made (the latent settings of the run that grew them); by default
   * the fork's own when it runs `latent`, else the latent defaults. Each thought's readout names its mode.
   */
  thoughts?: ThoughtRecipe;
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
 * without the intervention.
 *
 * Continuous thoughts on the path are not stored with their inputs; each is a function of its path, so the
 * prefix is rebuilt by replaying the path plain, as the latent strategy made it (`rebuildForkPrefix`), and a
 * thought whose replay does not give its recorded readout (another model, other settings) refuses the fork.
 * Forking a thought node: the twin's input is recomputed with the intervention on, i.e. from its parent's
 * position re-read under the intervention (hidden mode: that position's steered last hidden state; mixture
 * mode: the mixture under its steered next-token distribution), while the keys and values of that position and
 * everything before it stay plain, as for any fork node. A zero direction gives back the source thought's input.
 *
 * Each new token gets the log-probability it has on the same path without the intervention: the same tokens,
 * with every continuous thought on the path recomputed plain (a twin thought's plain input is its source's),
 * so that Δ compares a steered branch with the unsteered branch it stands beside.
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
  const isRoot = nodeId === source.rootId;
  const firstNewId = source.order.length;
  const startId = isRoot ? source.rootId : firstNewId;
  const rootBefore = source.nodes[source.rootId]!;
  const { model, config } = request;
  const promptIds = encodePrompt(model, request.prompt);
  const sourceRecipe = request.thoughts ?? (config.strategy === 'latent' ? config : DEFAULT_THOUGHT_RECIPE);
  // thoughts the fork's own strategy grows are made with its settings
  const forkRecipe = config.strategy === 'latent' ? config : sourceRecipe;
  let prefix: Awaited<ReturnType<typeof rebuildForkPrefix>>;
  try {
    prefix = await rebuildForkPrefix(model, source, promptIds, nodeId, sourceRecipe, request.intervention);
  } catch (err) {
    if (err instanceof ThoughtRebuildError) throw new ForkRefusedError(err.message);
    throw err;
  }
  const thoughtInputs = new Map(prefix.inputs);
  if (prefix.twin) thoughtInputs.set(startId, prefix.twin.input);
  // Through thoughts, the prefix is evaluated one node per pass as the source run did (not in one pass), so that
  // a zero direction gives back the source's numbers exactly; a path of tokens keeps the one-pass recompute.
  const walk = thoughtInputs.size > 0 ? pathTo(source, nodeId).slice(0, -1) : [];
  const prepare = async (ctx: SearchContext) => {
    for (const [id, input] of thoughtInputs) ctx.setThoughtInput(id, input);
    for (const id of walk) await ctx.evaluator.evaluate([id]);
  };

  const finish = async (ctx: SearchContext) => {
    ctx.checkpoint();
    const tree = ctx.tree;
    const fresh = tree.state.order.filter((id) => id >= firstNewId);
    const parents = [...new Set(fresh.filter((id) => id !== startId).map((id) => tree.node(id).parents[0]!))];
    // the plain path: the same tokens, its continuous thoughts recomputed without the intervention
    const plainInputs = new Map(prefix.inputs);
    const plain = new Evaluator(ctx.model, lineageOfTree(tree.state, ctx.promptIds, plainInputs));
    const plainLogprob = new Map<number, number>();
    try {
      for (const id of walk) await plain.evaluate([id]);
      // ids grow with depth, so a thought's ancestors are rebuilt before it
      for (const id of fresh.filter((id) => tree.node(id).kind === 'thought').sort((a, b) => a - b)) {
        ctx.checkpoint();
        const node = tree.node(id);
        const [e] = await plain.evaluate([node.parents[0]!]);
        const recipe = id === startId ? recipeOf(target, sourceRecipe) : recipeOf(node, forkRecipe);
        plainInputs.set(id, rebuildContent(ctx.model, e!, recipe, id).input);
      }
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
              // a thought has no token to compare; its readout is what the recomputed input superposes
              ...(prefix.twin ? { latent: prefix.twin.latent } : { plainLogprob: target.logprob }),
            });
          }
        });
        return startId;
      },
      plain: (id) => !isRoot && id < startId,
      prepare,
      finish,
    },
  });
  const own: TreeState = { ...out.tree, order: out.tree.order.filter((id) => id >= firstNewId) };
  const { forwardPasses, tokensEvaluated, peakKvBytes, wallTimeMs } = out.stats;
  const stats = computeRunStats(own, { forwardPasses, tokensEvaluated, recomputedPasses: 0 }, peakKvBytes, wallTimeMs);
  return { ...out, stats, startId, firstNewId };
}
