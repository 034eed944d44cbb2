import type { Strategy } from '../search/search-context';
import type { HmmAnalysis } from '../../../shared/analysis';
import { kmeans } from '../cluster/kmeans';
import { currentConceptOf, scoreStatesPerDepth, summarizeStateScores } from '../analysis/ground-truth';
import { dominantConcepts } from '../analysis/state-concepts';
import { levelSearch, massOf, levelSettings } from './bfs-level';
import { byScore } from './merge-keys';
import { buildTrellis, type TrellisMember } from './hmm-trellis';

/** How many finished hypotheses an HMM run reports in its n-best list (the answer first). */
export const HMM_NBEST = 10;

/**
 * The HMM view: level-synchronous expansion as in BFS (no merging; hypotheses that finish at a depth are evaluated
 * too, so that every hypothesis has a final hidden state); at each depth the hypotheses' final hidden states are
 * clustered into at most K latent states (seeded k-means++, the seed mixed with the depth). The trellis (α, β, γ,
 * transitions, Viterbi state path) goes to `result.analysis`; the answer is the best hypothesis of the state with
 * the most finishing mass. Each node of the trellis records its `state`.
 */
export const hmm: Strategy<'hmm'> = async (ctx, config) => {
  const { levels, finished } = await levelSearch(ctx, {
    ...levelSettings(config),
    merge: { kind: 'none' },
    evaluateFinished: true,
    label: 'HMM depth',
  });
  ctx.checkpoint();
  const depths: TrellisMember[][] = levels.map((level) => {
    const hidden = level.members.map((id) => {
      const h = level.lastHidden.get(id);
      if (!h) throw new Error(`${ctx.model.info.name} returned no last_hidden_state for hypothesis ${id}`);
      return h;
    });
    const { labels } = kmeans(hidden, config.states, config.seed + 7919 * level.depth);
    return level.members.map((nodeId, i) => {
      const node = ctx.tree.node(nodeId);
      return {
        nodeId,
        parentId: node.parents[0] ?? null,
        logMass: massOf(node),
        score: node.score,
        state: labels[i]!,
        finished: node.status === 'finished',
      };
    });
  });
  ctx.tree.update((draft) => {
    for (const members of depths) for (const m of members) draft.nodes[m.nodeId]!.state = m.state;
  });
  const { trellis, transitions, viterbi, answer } = buildTrellis(depths);
  const analysis: HmmAnalysis = {
    kind: 'hmm-trellis',
    states: config.states,
    seed: config.seed,
    trellis,
    transitions,
    viterbi,
    answer,
  };
  if (ctx.task) {
    const task = ctx.task;
    const tokenizer = ctx.model.tokenizer;
    const conceptOf = (nodeId: number) =>
      currentConceptOf(
        ctx.tree.pathTokens(nodeId).map((t) => tokenizer.tokenText(t).text),
        task,
      );
    analysis.groundTruth = scoreStatesPerDepth(
      depths.map((members, depth) => ({ depth, members })),
      conceptOf,
      config.seed,
    );
    analysis.stateConcepts = dominantConcepts(depths, conceptOf);
    analysis.groundTruthSummary = summarizeStateScores(analysis.groundTruth);
  }
  const ranked = finished.map((nodeId) => ({ nodeId, score: ctx.tree.node(nodeId).score })).sort(byScore);
  if (answer) {
    const at = ranked.findIndex((r) => r.nodeId === answer.nodeId);
    if (at > 0) ranked.unshift(...ranked.splice(at, 1));
  }
  return { ranked: ranked.slice(0, HMM_NBEST), analysis };
};
