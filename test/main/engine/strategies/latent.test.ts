import { describe, expect, it } from 'vitest';
import { runSearch, encodePrompt, StrategyUnavailableError } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import type { LoadedModel } from '../../../../src/main/engine/model/load-model';
import type { TreeNode } from '../../../../src/shared/tree';
import { filteredDistribution, mixtureEmbedding } from '../../../../src/main/engine/strategies/latent-mixture';
import { replayThoughtInputs } from '../../../../src/main/engine/strategies/latent';
import { inspectTreeNodeLens } from '../../../../src/main/engine/lens/logit-lens';
import { LatentAnalysisSchema } from '../../../../src/shared/analysis';
import { logSoftmax, entropyOf } from '../../../../src/main/engine/math/log-softmax';
import { TOY_TASK } from '../../../helpers/toy-task';
import { fixtureModel } from '../../../helpers/fixtures';

const PROMPT = 'a b';

/** Uncached forward over raw input embeddings: next-token log-probabilities and final hidden state at the last position. */
async function handForward(
  model: LoadedModel,
  rows: Float32Array[],
): Promise<{ logprobs: Float64Array; logits: Float32Array; lastHidden: Float32Array }> {
  const hidden = model.info.hiddenSize!;
  const embeds = new Float32Array(rows.length * hidden);
  rows.forEach((r, i) => embeds.set(r, i * hidden));
  const out = await model.decoder.forward({ batch: 1, seq: rows.length, inputsEmbeds: embeds, past: null });
  const vocab = out.logits.length / rows.length;
  const logits = out.logits.slice((rows.length - 1) * vocab, rows.length * vocab);
  return {
    logits,
    logprobs: logSoftmax(logits),
    lastHidden: out.lastHidden!.slice((rows.length - 1) * hidden, rows.length * hidden),
  };
}

function tokenRow(model: LoadedModel, token: number): Float32Array {
  const h = model.info.hiddenSize!;
  return model.embeddings!.slice(token * h, (token + 1) * h);
}

/** Σ_k p_k E[k] written out by hand: keep the k largest logits, softmax among them, weight the embedding rows. */
function handMixture(model: LoadedModel, logits: Float32Array, k: number): Float32Array {
  const h = model.info.hiddenSize!;
  const order = Array.from(logits.keys())
    .sort((a, b) => logits[b]! - logits[a]!)
    .slice(0, k);
  const max = Math.max(...order.map((i) => logits[i]!));
  const weights = order.map((i) => Math.exp(logits[i]! - max));
  const total = weights.reduce((a, b) => a + b, 0);
  const out = new Float32Array(h);
  order.forEach((token, j) => {
    for (let d = 0; d < h; d++) out[d] += (weights[j]! / total) * model.embeddings![token * h + d]!;
  });
  return out;
}

function expectDistribution(node: TreeNode, truth: Float64Array): void {
  expect(node.topk).toHaveLength(truth.length);
  for (const t of node.topk!) expect(Math.abs(t.logprob - truth[t.tokenId]!)).toBeLessThan(1e-4);
  expect(Math.abs(node.entropy! - entropyOf(truth))).toBeLessThan(1e-4);
}

describe('mixture embeddings', () => {
  it('filteredDistribution applies top-k and top-p and renormalises', () => {
    const logits = Float64Array.from([0.5, 0.3, 0.15, 0.05].map(Math.log));
    const k2 = filteredDistribution(logits, 2, 1);
    expect(k2[0]).toBeCloseTo(0.5 / 0.8, 12);
    expect(k2[1]).toBeCloseTo(0.3 / 0.8, 12);
    expect(k2[2]).toBe(0);
    const p = filteredDistribution(logits, 0, 0.9);
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 12);
    expect(p[3]).toBe(0);
    expect(p[2]).toBeCloseTo(0.15 / 0.95, 12);
  });

  it('mixtureEmbedding equals Σ p_k E[k] computed by hand from the embedding matrix', async () => {
    const model = await fixtureModel('lab-tiny');
    const promptIds = encodePrompt(model, PROMPT);
    const { logits } = await handForward(
      model,
      promptIds.map((t) => tokenRow(model, t)),
    );
    const mine = mixtureEmbedding(filteredDistribution(logits, 3, 1), model.embeddings!, model.info.hiddenSize!);
    const hand = handMixture(model, logits, 3);
    for (let d = 0; d < hand.length; d++) expect(Math.abs(mine[d]! - hand[d]!)).toBeLessThan(1e-6);
  });
});

describe('latent exploration', () => {
  it('mixture thoughts feed Σ p_k E[k] of the previous distribution, and the answer continues from the last thought', async () => {
    const model = await fixtureModel('lab-tiny');
    const promptIds = encodePrompt(model, PROMPT);
    const vocab = model.info.vocabSize;
    const out = await runSearch({
      model,
      prompt: PROMPT,
      config: resolveStrategyConfig({
        strategy: 'latent',
        mode: 'mixture',
        thoughts: 2,
        topK: 3,
        topkShown: vocab,
        maxNewTokens: 3,
        bigLogitThreshold: 0.05,
      }),
    });
    const rows = promptIds.map((t) => tokenRow(model, t));
    const step0 = await handForward(model, rows);
    rows.push(handMixture(model, step0.logits, 3));
    const step1 = await handForward(model, rows);
    rows.push(handMixture(model, step1.logits, 3));
    const step2 = await handForward(model, rows);
    const thoughts = out.tree.order.map((id) => out.tree.nodes[id]!).filter((n) => n.kind === 'thought');
    expect(thoughts.map((t) => t.depth)).toEqual([1, 2]);
    expect(thoughts.every((t) => t.tokenId === null)).toBe(true);
    expectDistribution(thoughts[0]!, step1.logprobs);
    expectDistribution(thoughts[1]!, step2.logprobs);
    // latent readout = what the thought superposes: the mixture weights (top-3 of the previous distribution), by hand
    const weights = (logits: Float32Array) => {
      const top = Array.from(logits.keys())
        .sort((a, b) => logits[b]! - logits[a]!)
        .slice(0, 3);
      const z = top.reduce((s, t) => s + Math.exp(logits[t]!), 0);
      return top.map((t) => ({ t, p: Math.exp(logits[t]!) / z }));
    };
    for (const [i, previous] of [step0, step1].entries()) {
      const w = weights(previous.logits);
      const big = w.filter((x) => x.p >= 0.05);
      const latent = thoughts[i]!.latent!;
      expect(latent.mode).toBe('mixture');
      expect(latent.bigLogits).toBe(big.length);
      expect(Math.abs(latent.bigMass - big.reduce((a, b) => a + b.p, 0))).toBeLessThan(1e-4);
      expect(Math.abs(latent.entropy + w.reduce((s, x) => s + x.p * Math.log(x.p), 0))).toBeLessThan(1e-4);
      expect(latent.topk.map((x) => x.tokenId)).toEqual(w.map((x) => x.t));
    }
    // the analysis also reads each thought's output: big logits of the distribution after it
    const analysisOutput = LatentAnalysisSchema.parse(out.result.analysis).thoughts[1]!.output!;
    const probs = Array.from(step2.logprobs, Math.exp);
    const big = probs.filter((p) => p >= 0.05);
    expect(analysisOutput.bigLogits).toBe(big.length);
    expect(Math.abs(analysisOutput.bigMass - big.reduce((a, b) => a + b, 0))).toBeLessThan(1e-4);
    // the logit lens of each thought, last layer, is the same distribution
    const lastLens = thoughts[1]!.lens![model.info.numLayers]!;
    for (const t of lastLens.topk) expect(Math.abs(t.logprob - step2.logprobs[t.tokenId]!)).toBeLessThan(1e-4);
    // the greedy answer continues from the last thought: its tokens and score by hand
    const answer = out.result.nBest[0]!;
    let score = 0;
    let previous = step2;
    for (const token of answer.tokenIds) {
      expect(token).toBe(
        Array.from(previous.logprobs.keys()).sort((a, b) => previous.logprobs[b]! - previous.logprobs[a]! || a - b)[0],
      );
      score += previous.logprobs[token]!;
      rows.push(tokenRow(model, token));
      previous = await handForward(model, rows);
    }
    expect(Math.abs(answer.score - score)).toBeLessThan(1e-4);
    expect(out.tree.nodes[answer.nodeId]!.depth).toBe(2 + answer.tokenIds.length);
    const analysis = LatentAnalysisSchema.parse(out.result.analysis);
    expect(analysis.thoughts.map((t) => t.nodeId)).toEqual(thoughts.map((t) => t.id));
  });

  it('hidden thoughts feed back the previous final hidden state (Coconut)', async () => {
    const model = await fixtureModel('lab-tiny');
    const promptIds = encodePrompt(model, PROMPT);
    const out = await runSearch({
      model,
      prompt: PROMPT,
      config: resolveStrategyConfig({
        strategy: 'latent',
        mode: 'hidden',
        thoughts: 2,
        topkShown: model.info.vocabSize,
        maxNewTokens: 2,
      }),
    });
    const rows = promptIds.map((t) => tokenRow(model, t));
    const step0 = await handForward(model, rows);
    rows.push(step0.lastHidden);
    const step1 = await handForward(model, rows);
    rows.push(step1.lastHidden);
    const step2 = await handForward(model, rows);
    const thoughts = out.tree.order.map((id) => out.tree.nodes[id]!).filter((n) => n.kind === 'thought');
    expectDistribution(thoughts[0]!, step1.logprobs);
    expectDistribution(thoughts[1]!, step2.logprobs);
    expect(thoughts[0]!.latent!.mode).toBe('hidden');
    // what a hidden thought superposes: the lens at the last layer of the position before it = that position's distribution
    for (const [i, previous] of [step0, step1].entries()) {
      const latent = thoughts[i]!.latent!;
      for (const t of latent.topk) expect(Math.abs(t.logprob - previous.logprobs[t.tokenId]!)).toBeLessThan(1e-4);
      expect(Math.abs(latent.entropy - entropyOf(previous.logprobs))).toBeLessThan(1e-4);
    }
  });

  it('beam answers decode from the last thought', async () => {
    const model = await fixtureModel('lab-tiny');
    const out = await runSearch({
      model,
      prompt: PROMPT,
      config: resolveStrategyConfig({
        strategy: 'latent',
        thoughts: 1,
        maxNewTokens: 3,
        answer: { strategy: 'beam', numBeams: 3 },
      }),
    });
    expect(out.result.nBest.length).toBeGreaterThan(0);
    for (const h of out.result.nBest) {
      const path: number[] = [];
      for (let n = out.tree.nodes[h.nodeId]!; n.parents.length > 0; n = out.tree.nodes[n.parents[0]!]!)
        path.unshift(n.id);
      expect(out.tree.nodes[path[0]!]!.kind).toBe('thought');
    }
  });

  it('scores each thought’s big logits against the true next frontier when the prompt is a task example', async () => {
    const model = await fixtureModel('lab-tiny');
    const task = TOY_TASK;
    const out = await runSearch({
      model,
      prompt: PROMPT,
      task,
      config: resolveStrategyConfig({
        strategy: 'latent',
        thoughts: 3,
        maxNewTokens: 1,
        bigLogitThreshold: 0.05,
        topkShown: model.info.vocabSize,
      }),
    });
    const thoughts = out.tree.order.map((id) => out.tree.nodes[id]!).filter((n) => n.kind === 'thought');
    const recalls: number[] = [];
    for (const [i, t] of thoughts.entries()) {
      // topkShown ≥ vocab: the readout lists every token, so the big ones can be picked out by hand
      expect(t.latent!.topk).toHaveLength(model.info.vocabSize);
      const bigTokens = t.latent!.topk.filter((x) => Math.exp(x.logprob) >= 0.05).map((x) => x.text);
      expect(t.latent!.bigLogits).toBe(bigTokens.length);
      const frontier = task.frontiers[i + 1];
      if (!frontier) {
        expect(t.latent!.frontierRecall).toBeUndefined();
        continue;
      }
      const recall = frontier.filter((c) => bigTokens.includes(c)).length / frontier.length;
      expect(t.latent!.frontierRecall).toBeCloseTo(recall, 12);
      recalls.push(recall);
    }
    expect(recalls).toHaveLength(2);
    // each thought's output (its own next-token distribution) against the frontier one step further
    const summaries = LatentAnalysisSchema.parse(out.result.analysis).thoughts;
    for (const [i, t] of thoughts.entries()) {
      const frontier = task.frontiers[i + 2];
      const output = summaries[i]!.output!;
      if (!frontier) {
        expect(output.frontierRecall).toBeUndefined();
        continue;
      }
      const bigOut = t.topk!.filter((x) => Math.exp(x.logprob) >= 0.05).map((x) => x.text);
      expect(output.bigLogits).toBe(bigOut.length);
      expect(output.frontierRecall).toBeCloseTo(
        frontier.filter((c) => bigOut.includes(c)).length / frontier.length,
        12,
      );
    }
    const analysis = LatentAnalysisSchema.parse(out.result.analysis);
    expect(analysis.meanFrontierRecall).toBeCloseTo((recalls[0]! + recalls[1]!) / 2, 12);
  });

  it.each(['mixture', 'hidden'] as const)(
    'replayed %s thought inputs let the lens re-evaluate answer tokens after the thoughts',
    async (mode) => {
      const loaded = await fixtureModel('lab-tiny');
      // EOS off, so that the answer runs its full length and has evaluated tokens after the thoughts
      const model: LoadedModel = { ...loaded, info: { ...loaded.info, eosTokenIds: [] } };
      const promptIds = encodePrompt(model, PROMPT);
      const vocab = model.info.vocabSize;
      const config = resolveStrategyConfig({
        strategy: 'latent',
        mode,
        thoughts: 2,
        topK: 4,
        topkShown: vocab,
        maxNewTokens: 3,
      });
      const out = await runSearch({ model, prompt: PROMPT, config });
      const thoughtInputs = await replayThoughtInputs(
        model,
        out.tree,
        promptIds,
        config as Extract<typeof config, { strategy: 'latent' }>,
      );
      expect(thoughtInputs.size).toBe(2);
      const answerNodes = out.tree.order
        .map((id) => out.tree.nodes[id]!)
        .filter((n) => n.kind === 'token' && n.topk !== undefined);
      expect(answerNodes.length).toBeGreaterThan(0);
      for (const node of [
        ...answerNodes,
        ...out.tree.order.map((id) => out.tree.nodes[id]!).filter((n) => n.kind === 'thought'),
      ]) {
        const layers = await inspectTreeNodeLens(model, out.tree, promptIds, node.id, { topK: vocab, thoughtInputs });
        const last = layers[layers.length - 1]!;
        for (const t of last.topk) {
          const recorded = node.topk!.find((x) => x.tokenId === t.tokenId)!;
          expect(Math.abs(t.logprob - recorded.logprob)).toBeLessThan(1e-4);
        }
      }
      // without the thought inputs a node after a thought cannot be re-evaluated, and says so
      await expect(inspectTreeNodeLens(model, out.tree, promptIds, answerNodes[0]!.id)).rejects.toThrow(
        /thought node \d+ has no stored input embedding/,
      );
    },
  );

  it('is refused on an HF export with a message naming what is missing', async () => {
    const model = await fixtureModel('hf-gpt2-tiny');
    for (const mode of ['mixture', 'hidden'] as const) {
      const run = runSearch({ model, prompt: PROMPT, config: resolveStrategyConfig({ strategy: 'latent', mode }) });
      await expect(run).rejects.toThrow(StrategyUnavailableError);
      await expect(
        runSearch({ model, prompt: PROMPT, config: resolveStrategyConfig({ strategy: 'latent', mode }) }),
      ).rejects.toThrow(
        mode === 'mixture'
          ? /inputs_embeds input, a readable embedding matrix/
          : /inputs_embeds input, a last_hidden_state output/,
      );
    }
  });
});
