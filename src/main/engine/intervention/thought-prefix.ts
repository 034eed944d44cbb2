import type { LoadedModel } from '../model/load-model';
import type { LatentReadout, TreeNode, TreeState } from '../../../shared/tree';
import { LatentConfigSchema, type ConfigOf } from '../../../shared/strategies';
import { Evaluator, type NodeEvaluation } from '../runtime/evaluator';
import { lineageOfTree } from '../lens/logit-lens';
import { pathTo } from '../../../shared/tree-sync';
import { entropyOf } from '../math/log-softmax';
import { thoughtContent } from '../strategies/latent';
import { latentReadout } from '../strategies/latent-readout';
import type { ResidualInputs } from './compile';

/** The latent settings that decide a continuous thought's input (the rest of a latent config only labels it). */
export type ThoughtRecipe = Pick<ConfigOf<'latent'>, 'mode' | 'topK' | 'topP'>;

/** A thought's input cannot be rebuilt: the tree was made on another model, with other settings, or is malformed. */
export class ThoughtRebuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThoughtRebuildError';
  }
}

/** How far a replayed thought's readout may drift from the recorded one (summation order only, never a model). */
const READOUT_TOLERANCE = 1e-4;

/** The latent strategy's defaults: what a thought was made with when nothing else is known. */
export const DEFAULT_THOUGHT_RECIPE: ThoughtRecipe = LatentConfigSchema.parse({ strategy: 'latent' });

/** One thought's recipe: the run's settings, with the mode its own readout records (the readout is the node's). */
export function recipeOf(node: TreeNode, recipe: ThoughtRecipe): ThoughtRecipe {
  const { mode, topK, topP } = recipe;
  return { mode: node.latent?.mode ?? mode, topK, topP };
}

/**
 * Refuses a rebuilt thought whose readout (what it superposes: hidden mode, the distribution at the position
 * before it; mixture mode, the filtered one) is not the one the tree recorded. The readout is a function of the
 * path and the model alone, so a difference means another model or other latent settings made the tree.
 */
function checkReadout(node: TreeNode, superposed: Float64Array, modelName: string): void {
  const recorded = node.latent;
  if (!recorded) return;
  const close = (a: number, b: number) => a === b || Math.abs(a - b) <= READOUT_TOLERANCE;
  const entropy = entropyOf(superposed);
  const token = recorded.topk.find((t) => !close(superposed[t.tokenId] ?? NaN, t.logprob));
  if (close(entropy, recorded.entropy) && !token) return;
  const what = token
    ? `log p(${JSON.stringify(token.text)}) ${superposed[token.tokenId]?.toFixed(6)} vs ${token.logprob.toFixed(6)} recorded`
    : `entropy ${entropy.toFixed(6)} vs ${recorded.entropy.toFixed(6)} recorded`;
  throw new ThoughtRebuildError(
    `the continuous thought at node ${node.id} cannot be rebuilt on ${modelName}: replaying its path gives another ` +
      `thought (${what}); the tree was made with another model or other ${recorded.mode} settings`,
  );
}

export interface PathReplay {
  /** input embeddings of the thoughts on the path (the last node excluded when it is a thought) */
  inputs: Map<number, Float32Array>;
  /** the evaluation of the path's last node: plain, or under `intervention` at that position only */
  last: NodeEvaluation;
}

/**
 * Replays a path of a tree without any intervention, one node per forward pass from its parent's cache (the way
 * the strategies that grew it evaluated it, so the numbers are the run's own), and rebuilds each continuous
 * thought's input from the evaluation of the node before it exactly as the latent strategy did (`thoughtContent`:
 * hidden mode the last hidden state, mixture mode Σ p_k·E[k] under the top-k/top-p filtered distribution). Each
 * rebuilt thought is checked against its recorded readout. With `intervention`, the path's last node alone is
 * evaluated under it: the keys and values before it stay plain, its own output is the steered one.
 */
export function replayPath(
  model: LoadedModel,
  tree: Pick<TreeState, 'nodes'>,
  promptIds: number[],
  path: number[],
  recipe: ThoughtRecipe,
  intervention: ResidualInputs = {},
): Promise<PathReplay> {
  const last = path[path.length - 1];
  return walkPath(model, tree, promptIds, path, {
    intervention,
    steered: (id) => id === last,
    sourceRecipe: recipe,
    forkRecipe: recipe,
  });
}

/** thoughtContent, with a model that cannot make the thought named in a ThoughtRebuildError. */
export function rebuildContent(
  model: LoadedModel,
  previous: NodeEvaluation,
  recipe: ThoughtRecipe,
  nodeId: number,
): { input: Float32Array; superposed: Float64Array } {
  try {
    return thoughtContent(model, previous, recipe);
  } catch (err) {
    throw new ThoughtRebuildError(
      `the continuous thought at node ${nodeId} cannot be rebuilt: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** The readout a twin thought records: what its recomputed input superposes, read as the source thought was. */
export function twinReadout(
  model: LoadedModel,
  source: TreeNode,
  recipe: ThoughtRecipe,
  superposed: Float64Array,
): LatentReadout {
  const threshold = source.latent?.bigLogitThreshold ?? LatentConfigSchema.shape.bigLogitThreshold.parse(undefined);
  const shown = source.latent?.topk.length ?? 5;
  return latentReadout(superposed, recipe.mode, threshold, shown, model.tokenizer).readout;
}

export interface ForkPrefix {
  /** input embeddings of the continuous thoughts before the fork node, as the source run fed them */
  inputs: Map<number, Float32Array>;
  /** forking a thought: the twin's input and readout, recomputed with the intervention on (see runFork) */
  twin?: { input: Float32Array; latent: LatentReadout };
}

/**
 * What a fork needs to re-evaluate a path through continuous thoughts: the thoughts' inputs rebuilt by replaying
 * the path plain (checked against their recorded readouts), and for a thought fork node the twin's input, made
 * from the fork node's parent re-read with the intervention on. A thought grown under another intervention
 * (a fork of a fork) cannot be rebuilt without that intervention and is refused.
 */
export async function rebuildForkPrefix(
  model: LoadedModel,
  source: TreeState,
  promptIds: number[],
  nodeId: number,
  recipe: ThoughtRecipe,
  intervention: ResidualInputs,
): Promise<ForkPrefix> {
  const path = pathTo(source, nodeId);
  const target = source.nodes[nodeId]!;
  const before = path.slice(0, -1);
  const steeredThought = before.find((id) => source.nodes[id]!.kind === 'thought' && source.nodes[id]!.intervention);
  if (steeredThought !== undefined)
    throw new ThoughtRebuildError(
      `the continuous thought at node ${steeredThought} was grown under "${source.nodes[steeredThought]!.intervention}": ` +
        `its input cannot be rebuilt without that intervention; fork from the run it was grown from`,
    );
  if (target.kind !== 'thought') {
    const lastThought = before.findLastIndex((id) => source.nodes[id]!.kind === 'thought');
    if (lastThought < 0) return { inputs: new Map() };
    return { inputs: (await replayPath(model, source, promptIds, before.slice(0, lastThought + 1), recipe)).inputs };
  }
  if (before.length === 0) throw new ThoughtRebuildError(`the continuous thought at node ${nodeId} has no parent`);
  const own = recipeOf(target, recipe);
  const plain = await replayPath(model, source, promptIds, before, recipe);
  // the source thought itself must replay too (unless another intervention made it): the check covers its parent
  if (!target.intervention)
    checkReadout(target, rebuildContent(model, plain.last, own, nodeId).superposed, model.info.name);
  const steered =
    intervention.residualDelta || intervention.residualAblate
      ? (await replayPath(model, source, promptIds, before, recipe, intervention)).last
      : plain.last;
  const { input, superposed } = rebuildContent(model, steered, own, nodeId);
  return { inputs: plain.inputs, twin: { input, latent: twinReadout(model, target, own, superposed) } };
}

export interface ForkTreeThoughts {
  /** the fork's intervention */
  intervention: ResidualInputs;
  /** nodes the fork evaluated under it: its marked nodes, and the prompt root when it forked the prompt */
  steered: (nodeId: number) => boolean;
  /** the settings that made the source's thoughts (and so a twin's) */
  sourceRecipe: ThoughtRecipe;
  /** the settings of the thoughts the fork's own strategy grew */
  forkRecipe: ThoughtRecipe;
}

/**
 * The inputs a fork fed the continuous thoughts on the path to `nodeId` of its tree, so that any node of it can be
 * re-evaluated (the inspector's lens), checked against the readouts the thoughts recorded (see walkPath).
 */
export async function forkPathThoughtInputs(
  model: LoadedModel,
  tree: TreeState,
  promptIds: number[],
  nodeId: number,
  fork: ForkTreeThoughts,
): Promise<Map<number, Float32Array>> {
  const path = pathTo(tree, nodeId);
  const lastThought = path.findLastIndex((id) => tree.nodes[id]!.kind === 'thought');
  if (lastThought < 0) return new Map();
  return (await walkPath(model, tree, promptIds, path.slice(0, lastThought + 1), fork)).inputs;
}

/**
 * Evaluates a path one node per pass in the context a run evaluated it (`steered` nodes under the intervention,
 * the others plain) and rebuilds each thought from the evaluation of the node before it: a thought of the source
 * (unmarked) or one a fork grew under a steered node, from that evaluation; a twin thought (marked, under an
 * unsteered parent) from its parent re-read under the intervention, as runFork made it.
 */
async function walkPath(
  model: LoadedModel,
  tree: Pick<TreeState, 'nodes'>,
  promptIds: number[],
  path: number[],
  fork: ForkTreeThoughts,
): Promise<PathReplay> {
  const inputs = new Map<number, Float32Array>();
  const evaluator = new Evaluator(model, lineageOfTree(tree, promptIds, inputs), {
    ...fork.intervention,
    plain: (id) => !fork.steered(id),
  });
  try {
    let previous: NodeEvaluation | null = null;
    for (const [at, id] of path.entries()) {
      const node = tree.nodes[id]!;
      if (node.kind === 'thought') {
        if (!previous) throw new ThoughtRebuildError(`the continuous thought at node ${id} has no parent`);
        const grown = node.intervention !== undefined && fork.steered(path[at - 1]!);
        const twin = node.intervention !== undefined && !grown;
        const recipe = recipeOf(node, grown ? fork.forkRecipe : fork.sourceRecipe);
        const before = twin
          ? (await replayPath(model, tree, promptIds, path.slice(0, at), fork.sourceRecipe, fork.intervention)).last
          : previous;
        const { input, superposed } = rebuildContent(model, before, recipe, id);
        checkReadout(node, superposed, model.info.name);
        inputs.set(id, input);
      }
      [previous] = await evaluator.evaluate([id]);
    }
    return { inputs, last: previous! };
  } finally {
    evaluator.cache.clear();
  }
}
