import type { LoadedModel } from '../src/main/engine/model/load-model';
import type { ForwardRequest } from '../src/main/engine/model/decoder-session';
import type { NodeEvaluation } from '../src/main/engine/runtime/evaluator';
import { logprobAt, logSoftmaxNorm, topTokenIds } from '../src/main/engine/math/log-softmax';
import { addTokenChild, recordEvaluation } from '../src/main/engine/search/node-records';
import { TreeStore } from '../src/main/engine/tree/tree-store';
import { tokenEmbeddings } from './token-embeddings';

/**
 * The least a recorded greedy step costs: the engine's decoder pass, the normaliser (the child's log-probability
 * and the parent's entropy need it) and the step's tree update (immer), with none of the search around them: no
 * cache policy, lineage, cancel checkpoints or progress. Its rate over the raw loop's is what recording a step
 * costs by itself; the engine's over its own, what the search machinery adds on top.
 */
export async function recordedStepFloor(model: LoadedModel, prompt: string, promptIds: number[], steps: number) {
  const started = performance.now();
  const { decoder, tokenizer, info } = model;
  const tree = new TreeStore({ kind: 'prompt', tokenId: null, text: prompt, logprob: 0, score: 0, status: 'frontier' });
  let parent = 0;
  let input = promptIds;
  let past: ForwardRequest['past'] = null;
  for (let step = 0; step < steps; step++) {
    const request: ForwardRequest = { batch: 1, seq: input.length, past, wantHiddenStates: false };
    if (info.convention === 'lab') request.inputsEmbeds = tokenEmbeddings(model, input);
    else request.inputIds = input;
    const out = await decoder.forward(request);
    // the last position's row (the prompt's pass has one per prompt token)
    const logits = out.logits.subarray(out.logits.length - out.logits.length / input.length);
    const evaluation = { nodeId: parent, logits, ...logSoftmaxNorm(logits) } as NodeEvaluation;
    const best = topTokenIds(evaluation, 1)[0]!;
    const from = parent;
    parent = tree.update((draft) => {
      recordEvaluation(draft, evaluation, 0, tokenizer);
      return addTokenChild(draft, tokenizer, from, best, logprobAt(evaluation, best), 'frontier');
    });
    past = out.present;
    input = [best];
  }
  const totalMs = performance.now() - started;
  return { totalMs, tokens: tree.pathTokens(parent) };
}
