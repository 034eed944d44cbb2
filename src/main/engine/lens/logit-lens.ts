import type { LoadedModel } from '../model/load-model';
import type { LensLayer, TreeState } from '../../../shared/tree';
import { Evaluator, type Lineage, type NodeInput } from '../runtime/evaluator';
import { entropyOf } from '../math/log-softmax';
import { klDivergence, lensDistributions, type TunedLens } from './tuned-lens';
import { missingCapabilities } from '../model/signature';
import { topTokens } from '../search/node-records';

export class LensUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LensUnavailableError';
  }
}

/** Throws a clear error naming what the model lacks for the logit lens. */
export function assertLensAvailable(model: LoadedModel): void {
  const missing = missingCapabilities(model.info.capabilities, ['hiddenStates', 'logitLens']);
  if (missing || !model.lens) {
    throw new LensUnavailableError(
      `the logit lens cannot run on ${model.info.name}: the model lacks ${missing ?? 'a logit-lens graph'}`,
    );
  }
}

/**
 * Reads residual streams through the model's own final norm + unembedding (one lens call for all of them):
 * per layer the top tokens and the entropy (nats) of the predicted next-token distribution. `hiddenStates[l]`
 * is the residual stream after layer l (index 0 = the input embedding), as the evaluator returns it.
 */
export async function lensLayers(
  model: LoadedModel,
  hiddenStates: Float32Array[],
  topK = 5,
  tuned: TunedLens | null = null,
): Promise<LensLayer[]> {
  const all = await lensDistributions(model, hiddenStates, tuned);
  // the last stream through the logit lens is the model's own output (property 6), and the tuned lens is the identity there
  const final = all[all.length - 1]!;
  return all.map((logprobs, layer) => ({
    layer,
    topk: topTokens(logprobs, topK, model.tokenizer),
    entropy: entropyOf(logprobs),
    klToFinal: klDivergence(final, logprobs),
    ...(tuned ? { lens: 'tuned' as const } : {}),
  }));
}

/** The raw lens logits of one residual stream vector (final norm + unembedding). */
export async function lensLogits(model: LoadedModel, hidden: Float32Array): Promise<Float32Array> {
  assertLensAvailable(model);
  return model.lens!.logits(hidden);
}

export interface InspectLensOptions {
  /** tokens per layer (default 5) */
  topK?: number;
  /** the steering vector the run used, so the lens sees the same residual streams */
  residualDelta?: Float32Array;
  /** the ablation the run used */
  residualAblate?: Float32Array;
  /** nodes the run evaluated without the intervention (a fork's prefix) */
  plain?: (nodeId: number) => boolean;
  /** read through this tuned lens instead of the logit lens */
  tuned?: TunedLens | null;
}

/**
 * The logit lens of one node: re-evaluates the node (its context recomputed from the lineage in one pass,
 * then the node itself with every layer's hidden state) and reads each layer through the final norm and the
 * unembedding. Layer 0 is the input embedding; the last layer reproduces the model's own next-token logits.
 */
export async function inspectNodeLens(
  model: LoadedModel,
  lineage: Lineage,
  nodeId: number,
  options: InspectLensOptions = {},
): Promise<LensLayer[]> {
  assertLensAvailable(model);
  const evaluator = new Evaluator(model, lineage, {
    residualDelta: options.residualDelta,
    residualAblate: options.residualAblate,
    plain: options.plain,
  });
  try {
    const [evaluation] = await evaluator.evaluate([nodeId], { hiddenStates: true });
    if (!evaluation?.hiddenStates)
      throw new LensUnavailableError(`the model ${model.info.name} returned no hidden states`);
    return await lensLayers(model, evaluation.hiddenStates, options.topK ?? 5, options.tuned ?? null);
  } finally {
    evaluator.cache.clear();
  }
}

/**
 * The evaluator's view of a finished or imported tree: first parents carry the context. Continuous-thought nodes
 * need their input embeddings (`thoughtInputs`); without them they cannot be re-evaluated (the latent strategy
 * stores each thought's lens on the node itself).
 */
export function lineageOfTree(
  tree: Pick<TreeState, 'nodes'>,
  promptIds: number[],
  thoughtInputs: ReadonlyMap<number, Float32Array> = new Map(),
): Lineage {
  const node = (id: number) => {
    const n = tree.nodes[id];
    if (!n) throw new Error(`no node ${id}`);
    return n;
  };
  return {
    parentOf: (id) => node(id).parents[0] ?? null,
    inputOf: (id): NodeInput => {
      const n = node(id);
      if (n.kind === 'prompt') return { tokens: promptIds };
      if (n.kind === 'thought') {
        const embedding = thoughtInputs.get(id);
        if (!embedding)
          throw new LensUnavailableError(`thought node ${id} has no stored input embedding to re-evaluate`);
        return { embeddings: [embedding] };
      }
      return { tokens: [n.tokenId!] };
    },
  };
}

/** Convenience for the UI and the CLI: the lens of a node of a run's tree. */
export function inspectTreeNodeLens(
  model: LoadedModel,
  tree: Pick<TreeState, 'nodes'>,
  promptIds: number[],
  nodeId: number,
  options: InspectLensOptions & { thoughtInputs?: ReadonlyMap<number, Float32Array> } = {},
): Promise<LensLayer[]> {
  return inspectNodeLens(model, lineageOfTree(tree, promptIds, options.thoughtInputs), nodeId, options);
}
