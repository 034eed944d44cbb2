import type { SearchContext, Strategy } from '../search/search-context';
import { Evaluator, type NodeEvaluation } from '../runtime/evaluator';
import type { LoadedModel } from '../model/load-model';
import type { TreeState } from '../../../shared/tree';
import type { ConfigOf } from '../../../shared/strategies';
import type { Capabilities } from '../../../shared/model';
import type { LatentAnalysis, ThoughtSummary } from '../../../shared/analysis';
import { addTokenChild, recordEvaluation } from '../search/node-records';
import { addNode } from '../tree/tree-store';
import { searchStep } from '../search/search-step';
import { lensLayers, lineageOfTree } from '../lens/logit-lens';
import { thoughtFrontierRecall } from '../analysis/ground-truth';
import { decodeGreedyFrom } from './greedy';
import { decodeBeamFrom } from './beam';
import { filteredDistribution, mixtureEmbedding } from './latent-mixture';
import { latentReadout } from './latent-readout';
import { frontierValuesOf } from '../analysis/frontier';

/** The tokens a Coconut-trained model expects around its thoughts (config lattice_lab.thoughts), if any. */
export function thoughtMarkers(model: LoadedModel): { begin: number; end: number } | null {
  const declared = model.config.lab?.thoughts;
  if (!declared?.begin_token || !declared.end_token) return null;
  const begin = model.tokenizer.tokenId(declared.begin_token);
  const end = model.tokenizer.tokenId(declared.end_token);
  if (begin === undefined || end === undefined) {
    throw new Error(
      `config.json names thought markers ${declared.begin_token} / ${declared.end_token} that the tokenizer lacks`,
    );
  }
  return { begin, end };
}

/**
 * Feeds a marker token after `parentId`. The marker is an input the model was trained to read, not a choice it
 * makes: it adds nothing to the path's score (like a thought), while the parent's top-k still shows its probability.
 */
async function appendMarker(ctx: SearchContext, parentId: number, tokenId: number, topkShown: number): Promise<number> {
  const [evaluation] = await ctx.evaluator.evaluate([parentId]);
  return ctx.tree.update((draft) => {
    recordEvaluation(draft, evaluation!, topkShown, ctx.model.tokenizer);
    return addTokenChild(draft, ctx.model.tokenizer, parentId, tokenId, 0, 'frontier');
  });
}

/** What each latent mode cannot run without. */
export function latentNeeds(config: ConfigOf<'latent'>): (keyof Capabilities)[] {
  return config.mode === 'hidden' ? ['inputsEmbeds', 'lastHiddenState'] : ['inputsEmbeds', 'embeddings'];
}

/**
 * The next continuous thought, from the evaluation of the position before it: its input embedding, and the
 * next-token distribution it superposes (log-probabilities). Hidden mode feeds the final hidden state, whose
 * logit-lens readout at the last layer is that position's own distribution (property 6); mixture mode feeds
 * Σ p_k·E[k] over the filtered, renormalised distribution p.
 */
export function thoughtContent(
  model: LoadedModel,
  previous: NodeEvaluation,
  config: Pick<ConfigOf<'latent'>, 'mode' | 'topK' | 'topP'>,
): { input: Float32Array; superposed: Float64Array } {
  if (config.mode === 'hidden') {
    if (!previous.lastHidden) throw new Error(`${model.info.name} returned no last_hidden_state`);
    return { input: previous.lastHidden, superposed: previous.logprobs };
  }
  const hiddenSize = model.info.hiddenSize;
  if (!model.embeddings || !hiddenSize) throw new Error(`${model.info.name} has no readable embedding matrix`);
  const probs = filteredDistribution(previous.logits, config.topK, config.topP);
  return { input: mixtureEmbedding(probs, model.embeddings, hiddenSize), superposed: probs.map(Math.log) };
}

/** The next continuous thought's input embedding (see thoughtContent). */
export function thoughtInput(
  model: LoadedModel,
  previous: NodeEvaluation,
  config: Pick<ConfigOf<'latent'>, 'mode' | 'topK' | 'topP'>,
): Float32Array {
  return thoughtContent(model, previous, config).input;
}

/**
 * Rebuilds the input embeddings of a latent run's thoughts from its tree (they are not exported): re-evaluates
 * the prompt and each thought in turn, exactly as the run did. With them, `inspectTreeNodeLens(…, { thoughtInputs })`
 * can re-evaluate any node of the run, including answer tokens that follow the thoughts.
 */
export async function replayThoughtInputs(
  model: LoadedModel,
  tree: Pick<TreeState, 'nodes' | 'order' | 'rootId'>,
  promptIds: number[],
  config: Pick<ConfigOf<'latent'>, 'mode' | 'topK' | 'topP'>,
  residualDelta?: Float32Array,
): Promise<Map<number, Float32Array>> {
  const inputs = new Map<number, Float32Array>();
  const thoughts = tree.order
    .filter((id) => tree.nodes[id]!.kind === 'thought')
    .sort((a, b) => tree.nodes[a]!.depth - tree.nodes[b]!.depth);
  if (thoughts.length === 0) return inputs;
  const evaluator = new Evaluator(model, lineageOfTree(tree, promptIds, inputs), { residualDelta });
  try {
    let [previous] = await evaluator.evaluate([tree.nodes[thoughts[0]!]!.parents[0] ?? tree.rootId]);
    for (const id of thoughts) {
      inputs.set(id, thoughtInput(model, previous!, config));
      [previous] = await evaluator.evaluate([id]);
    }
  } finally {
    evaluator.cache.clear();
  }
  return inputs;
}

/**
 * Coconut-style latent exploration: after the prompt (and the model's begin-of-thought marker, if it declares one),
 * N continuous thoughts (nodes of kind 'thought', no token) whose input embedding is the previous position's final
 * hidden state (`hidden`) or the probability-weighted mixture of token embeddings under the filtered next-token
 * distribution (`mixture`). Each thought node records:
 *  - `latent`: what the thought superposes — the readout of the vector it is fed (hidden: the logit lens at the last
 *    layer of the position before it, i.e. Coconut's "decoding the continuous thought"; mixture: the mixture
 *    weights): big logits, their mass, entropy, and on task prompts the recall of the true frontier at step i + 1;
 *  - `topk` / `entropy` / `lens`: what its output predicts (the next thought's content), every layer when the
 *    model has a lens; the analysis also scores that output against the frontier at step i + 2.
 * Then the answer is decoded from the last thought (or the end-of-thought marker) with greedy or beam search.
 */
export const latent: Strategy<'latent'> = async (ctx, config) => {
  const tokenizer = ctx.model.tokenizer;
  const withLens = ctx.model.info.capabilities.logitLens && ctx.model.lens !== null;
  const summaries: ThoughtSummary[] = [];
  const markers = thoughtMarkers(ctx.model);
  let current = ctx.rootId;
  let previous: NodeEvaluation | null = null;
  if (markers && config.thoughts > 0) {
    current = await appendMarker(ctx, current, markers.begin, config.topkShown);
  }
  for (let i = 0; i < config.thoughts; i++) {
    if (!previous) {
      const { evaluations } = await searchStep(ctx, {
        evaluate: [current],
        record: (draft, [evaluation]) => recordEvaluation(draft, evaluation!, config.topkShown, tokenizer),
        release: () => [],
        progress: () => null,
      });
      previous = evaluations[0]!;
    }
    const { input, superposed } = thoughtContent(ctx.model, previous, config);
    const parent = current;
    const thought = ctx.tree.update((draft) =>
      addNode(draft, {
        parents: [parent],
        kind: 'thought',
        tokenId: null,
        text: `⟨thought ${i + 1}⟩`,
        logprob: 0,
        score: draft.nodes[parent]!.score,
        status: 'frontier',
      }),
    );
    ctx.setThoughtInput(thought, input);
    const shown = config.topkShown || 5;
    const { evaluations, result: summary } = await searchStep(ctx, {
      evaluate: [thought],
      hiddenStates: withLens,
      prepare: async ([evaluation]) =>
        withLens && evaluation!.hiddenStates
          ? await lensLayers(ctx.model, evaluation!.hiddenStates, config.topkShown || 5)
          : null,
      record: (draft, [evaluation], lens): ThoughtSummary => {
        // what the thought carries (its input) against frontier i+1; what it leads to (its output) against frontier i+2
        const carried = latentReadout(superposed, config.mode, config.bigLogitThreshold, shown, tokenizer);
        const led = latentReadout(evaluation!.logprobs, config.mode, config.bigLogitThreshold, shown, tokenizer);
        const recall = ctx.task ? thoughtFrontierRecall(carried.bigTexts, ctx.task, i) : undefined;
        const outputRecall = ctx.task ? thoughtFrontierRecall(led.bigTexts, ctx.task, i + 1) : undefined;
        const readout = carried.readout;
        if (recall !== undefined) readout.frontierRecall = recall;
        recordEvaluation(draft, evaluation!, config.topkShown, tokenizer);
        const node = draft.nodes[thought]!;
        node.latent = readout;
        if (lens) node.lens = lens;
        return {
          index: i,
          nodeId: thought,
          bigLogits: readout.bigLogits,
          bigMass: readout.bigMass,
          entropy: readout.entropy,
          ...(recall !== undefined ? { frontierRecall: recall } : {}),
          output: {
            bigLogits: led.readout.bigLogits,
            bigMass: led.readout.bigMass,
            entropy: led.readout.entropy,
            ...(outputRecall !== undefined ? { frontierRecall: outputRecall } : {}),
          },
        };
      },
      release: () => {
        const grandparent = ctx.tree.node(parent).parents[0];
        return grandparent !== undefined ? [grandparent] : [];
      },
      progress: () => [((i + 1) / (config.thoughts + 1)) * 0.5, `thought ${i + 1} of ${config.thoughts}`],
    });
    summaries.push(summary);
    previous = evaluations[0]!;
    current = thought;
  }
  if (markers && config.thoughts > 0) {
    current = await appendMarker(ctx, current, markers.end, config.topkShown);
  }
  const answer =
    config.answer.strategy === 'beam'
      ? await decodeBeamFrom(ctx, current, {
          maxNewTokens: config.maxNewTokens,
          topkShown: config.topkShown,
          numBeams: config.answer.numBeams,
          lengthPenalty: config.answer.lengthPenalty,
          earlyStopping: false,
          numReturn: config.answer.numBeams,
        })
      : await decodeGreedyFrom(ctx, current, { maxNewTokens: config.maxNewTokens, topkShown: config.topkShown });
  const recalls = summaries.map((s) => s.frontierRecall).filter((r): r is number => r !== undefined);
  const analysis: LatentAnalysis = {
    kind: 'latent-thoughts',
    mode: config.mode,
    thoughts: summaries,
    ...(recalls.length > 0 ? { meanFrontierRecall: recalls.reduce((a, b) => a + b, 0) / recalls.length } : {}),
    answer: config.answer.strategy,
  };
  const { record, ontology, frontierValues } = ctx.task ?? {};
  if (record && ontology && markers && frontierValues)
    analysis.frontierValues = await frontierValuesOf(ctx.model, record, ontology, config.thoughts);
  return { ranked: answer.ranked, analysis };
};
