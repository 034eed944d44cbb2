import type { SearchContext, Strategy, StrategyOutcome } from '../search/search-context';
import type { ConfigOf } from '../../../shared/strategies';
import { addTokenChild, recordEvaluation } from '../search/node-records';
import { setStatus } from '../tree/tree-store';
import { BeamHypotheses } from './beam-hypotheses';
import { logprobAt, topTokenIds, type LogitDistribution } from '../math/log-softmax';
import { searchStep } from '../search/search-step';
import { checkNodeCap } from '../search/run-limits';

interface Candidate {
  beam: number;
  token: number;
  score: number;
}

/** Candidate order: score descending, then the earlier beam, then the lower token id. */
const byRank = (a: Candidate, b: Candidate) => b.score - a.score || a.beam - b.beam || a.token - b.token;

/** The best `count` (beam, token) continuations; ties go to the earlier beam, then the lower token id. */
export function topCandidates(beamScores: number[], distributions: LogitDistribution[], count: number): Candidate[] {
  // the global best `count` lie within each beam's own best `count`
  const lists = beamScores.map((beamScore, beam) => {
    const d = distributions[beam]!;
    const list = topTokenIds(d, count).map((token) => ({ beam, token, score: beamScore + logprobAt(d, token) }));
    // adding the beam's score can round two log-probabilities to one score (then the lower token id goes first):
    // the list is sorted already, or nearly
    for (let i = 1; i < list.length; i++) {
      const c = list[i]!;
      let at = i;
      while (at > 0 && byRank(list[at - 1]!, c) > 0) {
        list[at] = list[at - 1]!;
        at--;
      }
      list[at] = c;
    }
    return list;
  });
  // merge the beams' sorted lists: the first `count` of the whole sorted candidate set
  const heads = lists.map(() => 0);
  const out: Candidate[] = [];
  while (out.length < count) {
    let from = -1;
    for (let b = 0; b < lists.length; b++) {
      const c = lists[b]![heads[b]!];
      if (c && (from < 0 || byRank(c, lists[from]![heads[from]!]!) < 0)) from = b;
    }
    if (from < 0) break;
    out.push(lists[from]![heads[from]!++]!);
  }
  return out;
}

/**
 * Beam search with Hugging Face semantics: 2B candidates per step, an EOS candidate ranked below B is dropped,
 * finished hypotheses are length-penalised, early stopping true | false | "never". The running beams are one
 * batched forward pass per step. Candidates not kept stay in the tree as pruned.
 */
export const beam: Strategy<'beam'> = (ctx, config) => decodeBeamFrom(ctx, ctx.rootId, config);

/** Beam search from any node of the tree (the prompt, or the last continuous thought of a latent run). */
export async function decodeBeamFrom(
  ctx: SearchContext,
  startId: number,
  config: Omit<ConfigOf<'beam'>, 'strategy'>,
): Promise<StrategyOutcome> {
  const tokenizer = ctx.model.tokenizer;
  const width = config.numBeams;
  const hypotheses = new BeamHypotheses(width, config.lengthPenalty, config.earlyStopping, config.maxNewTokens);
  let beams = [{ nodeId: startId, score: 0 }];
  /** the beams of the previous step: the parents of this step's, never extended after it */
  let previous: number[] | undefined;
  let done = false;
  let generated = 0;
  while (generated < config.maxNewTokens && !done && beams.length > 0) {
    checkNodeCap(ctx.tree.size, 2 * width, ctx.maxNodes, 'num-beams or max-new-tokens');
    generated++;
    const evaluate = beams.map((b) => b.nodeId);
    const { result: next } = await searchStep(ctx, {
      evaluate,
      ...(previous ? { reuses: previous } : {}),
      record: (draft, evaluations) => {
        const candidates = topCandidates(
          beams.map((b) => b.score),
          evaluations,
          2 * width,
        );
        const kept: { nodeId: number; score: number }[] = [];
        for (const evaluation of evaluations) recordEvaluation(draft, evaluation, config.topkShown, tokenizer);
        candidates.forEach((c, rank) => {
          const parent = beams[c.beam]!.nodeId;
          const lp = logprobAt(evaluations[c.beam]!, c.token);
          const isEos = ctx.eosIds.has(c.token);
          if (kept.length === width || (isEos && rank >= width)) {
            addTokenChild(draft, tokenizer, parent, c.token, lp, 'pruned');
          } else if (isEos) {
            const id = addTokenChild(draft, tokenizer, parent, c.token, lp, 'finished');
            hypotheses.add(id, c.score, generated);
          } else {
            kept.push({ nodeId: addTokenChild(draft, tokenizer, parent, c.token, lp, 'frontier'), score: c.score });
          }
        });
        if (candidates.length > 0) done = hypotheses.isDone(candidates[0]!.score, generated);
        return kept;
      },
      progress: () => [generated / config.maxNewTokens, `step ${generated}, ${hypotheses.size} finished`],
    });
    previous = evaluate;
    beams = next;
  }
  ctx.tree.update((draft) => {
    for (const b of beams) {
      if (done) {
        setStatus(draft, b.nodeId, 'pruned');
      } else {
        hypotheses.add(b.nodeId, b.score, generated);
        setStatus(draft, b.nodeId, 'finished');
      }
    }
  });
  return { ranked: hypotheses.ranked().slice(0, Math.max(config.numReturn, 1)) };
}
