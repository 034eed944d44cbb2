import type { SearchContext, Strategy, StrategyOutcome } from '../search/search-context';
import type { ConfigOf } from '../../../shared/strategies';
import { addTokenChild, recordEvaluation } from '../search/node-records';
import { setStatus } from '../tree/tree-store';
import { BeamHypotheses } from './beam-hypotheses';
import { logprobAt, topIndices, topTokenIds, type LogitDistribution } from '../math/log-softmax';
import { searchStep } from '../search/search-step';
import { checkNodeCap } from '../search/run-limits';

interface Candidate {
  beam: number;
  token: number;
  score: number;
}

/**
 * The best `count` (beam, token) continuations, ordered by score descending, then the earlier beam, then the lower
 * token id. Each beam's own best `count` are sorted in place and merged; only the winners become objects (a step
 * of beam-8 looks at 128 candidates to keep 16).
 */
export function topCandidates(beamScores: number[], distributions: LogitDistribution[], count: number): Candidate[] {
  const beams = beamScores.length;
  const tokens: number[][] = new Array(beams);
  const scores: number[][] = new Array(beams);
  // the best `count` scores gathered so far, descending: once there are `count`, a token scoring below the last
  // cannot be a winner, so each later beam skips the logits that cannot reach it (beams with the best reachable
  // score first, so that the bar rises early)
  const bar: number[] = [];
  // each beam's best token's score, computed as logprobAt computes it (the beam's other tokens score at most that)
  const reachable = beamScores.map((beamScore, beam) => beamScore + (0 - distributions[beam]!.logSum));
  const order = [...beamScores.keys()].sort((a, b) => reachable[b]! - reachable[a]! || a - b);
  for (const beam of order) {
    const d = distributions[beam]!;
    const beamScore = beamScores[beam]!;
    // below the bar, none of the beam's tokens can win
    if (bar.length === count && reachable[beam]! < bar[count - 1]!) {
      tokens[beam] = [];
      scores[beam] = [];
      continue;
    }
    const floor = bar.length < count ? -Infinity : logitFloor(bar[count - 1]!, beamScore, d);
    const ids = floor === -Infinity ? topTokenIds(d, count) : topIndices(d.logits, count, d.max, d.logSum, floor);
    const own = ids.map((token) => beamScore + logprobAt(d, token));
    // adding the beam's score can round two log-probabilities to one score (then the lower token id goes first):
    // the list is sorted already, or nearly
    for (let i = 1; i < ids.length; i++) {
      const token = ids[i]!;
      const score = own[i]!;
      let at = i;
      for (; at > 0; at--) {
        const ahead = score - own[at - 1]!;
        if (!((ahead || ids[at - 1]! - token) > 0)) break;
        ids[at] = ids[at - 1]!;
        own[at] = own[at - 1]!;
      }
      ids[at] = token;
      own[at] = score;
    }
    tokens[beam] = ids;
    scores[beam] = own;
    for (const score of own) raiseBar(bar, score, count);
  }
  // merge the beams' sorted lists; on equal scores the earlier beam, met first, stays ahead
  const heads = new Array<number>(beams).fill(0);
  const out: Candidate[] = [];
  while (out.length < count) {
    let from = -1;
    for (let beam = 0; beam < beams; beam++) {
      if (heads[beam]! >= tokens[beam]!.length) continue;
      if (from < 0 || scores[from]![heads[from]!]! - scores[beam]![heads[beam]!]! < 0) from = beam;
    }
    if (from < 0) break;
    const at = heads[from]!++;
    out.push({ beam: from, token: tokens[from]![at]!, score: scores[from]![at]! });
  }
  return out;
}

/**
 * A raw logit at or below which a continuation of this beam scores below `bar` whatever the rounding: the exact
 * bound, lowered by far more than the float64 rounding of the few operations on either side.
 */
function logitFloor(bar: number, beamScore: number, d: LogitDistribution): number {
  const exact = bar - beamScore + d.logSum + d.max;
  const margin = 1e-9 * (1 + Math.abs(bar) + Math.abs(beamScore) + Math.abs(d.logSum) + Math.abs(d.max));
  return Number.isFinite(exact) ? exact - margin : -Infinity;
}

/** Keeps `bar` the best `count` scores seen, descending. */
function raiseBar(bar: number[], score: number, count: number): void {
  if (bar.length === count && !(score > bar[count - 1]!)) return;
  let at = bar.length < count ? bar.length : count - 1;
  while (at > 0 && bar[at - 1]! < score) {
    bar[at] = bar[at - 1]!;
    at--;
  }
  bar[at] = score;
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
