import type { LoadedModel } from '../../src/main/engine/model/load-model';
import { fullPassLogprobs } from './full-pass';

export interface ReferenceBeamSettings {
  numBeams: number;
  maxNewTokens: number;
  lengthPenalty: number;
  earlyStopping: boolean | 'never';
}

export interface ReferenceHypothesis {
  tokens: number[];
  sumLogprobs: number;
  score: number;
}

/**
 * A plain transcription of Hugging Face's BeamSearchScorer rules, one sequence at a time, each scored by an
 * uncached full pass: the independent reference the engine's batched, cached beam search must equal.
 */
export async function referenceBeamSearch(
  model: LoadedModel,
  promptIds: number[],
  settings: ReferenceBeamSettings,
): Promise<ReferenceHypothesis[]> {
  const { numBeams, maxNewTokens, lengthPenalty, earlyStopping } = settings;
  const eos = new Set(model.info.eosTokenIds);
  let hyps: ReferenceHypothesis[] = [];
  let worst = 1e9;
  const add = (tokens: number[], sumLogprobs: number) => {
    const score = sumLogprobs / tokens.length ** lengthPenalty;
    if (hyps.length < numBeams || score > worst) {
      hyps.push({ tokens, sumLogprobs, score });
      if (hyps.length > numBeams) {
        const order = hyps.map((h, i) => ({ s: h.score, i })).sort((a, b) => a.s - b.s || a.i - b.i);
        hyps.splice(order[0]!.i, 1);
        worst = order[1]!.s;
      } else {
        worst = Math.min(worst, score);
      }
    }
  };
  const isDone = (best: number, curLen: number) => {
    if (hyps.length < numBeams) return false;
    if (earlyStopping === true) return true;
    const len = earlyStopping === 'never' && lengthPenalty > 0 ? maxNewTokens : curLen;
    return worst >= best / len ** lengthPenalty;
  };

  let beams: { tokens: number[]; score: number }[] = [{ tokens: [], score: 0 }];
  let done = false;
  let curLen = 0;
  while (curLen < maxNewTokens && !done && beams.length > 0) {
    curLen++;
    const candidates: { beam: number; token: number; score: number }[] = [];
    for (let b = 0; b < beams.length; b++) {
      const passes = await fullPassLogprobs(model, [...promptIds, ...beams[b]!.tokens]);
      const next = passes[passes.length - 1]!;
      for (let t = 0; t < next.length; t++) candidates.push({ beam: b, token: t, score: beams[b]!.score + next[t]! });
    }
    candidates.sort((x, y) => y.score - x.score || x.beam - y.beam || x.token - y.token);
    const top = candidates.slice(0, 2 * numBeams);
    const nextBeams: { tokens: number[]; score: number }[] = [];
    for (let rank = 0; rank < top.length; rank++) {
      const c = top[rank]!;
      const tokens = [...beams[c.beam]!.tokens, c.token];
      if (eos.has(c.token)) {
        if (rank < numBeams) add(tokens, c.score);
      } else {
        nextBeams.push({ tokens, score: c.score });
      }
      if (nextBeams.length === numBeams) break;
    }
    if (top.length > 0) done = isDone(top[0]!.score, curLen);
    beams = nextBeams;
  }
  if (!done) for (const b of beams) add(b.tokens, b.score);
  hyps = hyps
    .map((h, i) => ({ h, i }))
    .sort((a, b) => b.h.score - a.h.score || a.i - b.i)
    .map(({ h }) => h);
  return hyps;
}
