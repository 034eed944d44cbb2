import type { MergeKey } from '../../../shared/strategies';
import type { SearchContext } from '../search/search-context';
import type { NodeEvaluation } from '../runtime/evaluator';
import { addTokenChild, recordEvaluation } from '../search/node-records';
import { setStatus } from '../tree/tree-store';
import { byScore, mergeHypotheses, type MergeCandidate } from './merge-keys';

/**
 * The children a node expands into: its most likely tokens, at most `topK` of them, stopping once the tokens
 * already taken reach cumulative probability `topP` (the first token is always taken; topP ≥ 1 keeps all k).
 * Best first; ties go to the lower token id.
 */
export function childTokens(logprobs: ArrayLike<number>, topK: number, topP: number): number[] {
  const order = Array.from({ length: logprobs.length }, (_, i) => i).filter((i) => logprobs[i]! > -Infinity);
  order.sort((a, b) => logprobs[b]! - logprobs[a]! || a - b);
  const out: number[] = [];
  let cumulative = 0;
  for (const token of order) {
    if (out.length >= topK) break;
    if (out.length > 0 && topP < 1 && cumulative >= topP) break;
    out.push(token);
    cumulative += Math.exp(logprobs[token]!);
  }
  return out;
}

export interface LevelSearchOptions {
  topK: number;
  topP: number;
  width: number;
  maxNewTokens: number;
  topkShown: number;
  merge: MergeKey;
  /** also evaluate the hypotheses that finish at a depth (EOS or the limit): the HMM clusters their hidden states */
  evaluateFinished?: boolean;
  label?: string;
}

/** The hypotheses one depth holds after merging and capping, with what their evaluation gave. */
export interface SearchLevel {
  depth: number;
  /** evaluated hypotheses at this depth: surviving live states, then (with evaluateFinished) finished ones */
  members: number[];
  /** final hidden state per member (models with last_hidden_state) */
  lastHidden: Map<number, Float32Array>;
}

export interface LevelSearchResult {
  levels: SearchLevel[];
  finished: number[];
}

/** The forward mass of a node: log-sum-exp over every path into it (its score when nothing merged into it). */
export function massOf(node: { forwardLogMass?: number; score: number }): number {
  return node.forwardLogMass ?? node.score;
}

/**
 * Level-synchronous expansion shared by BFS + DP merge and the HMM view. Each depth's live hypotheses are
 * evaluated in one batched call; hypotheses with an equal merge key become one lattice state (the best one
 * survives with its context, takes the others' parents and the log-sum-exp of their masses; the others are
 * marked merged and point to it); the frontier is capped at `width` by Viterbi score, the rest pruned.
 * Discrete keys merge before evaluation; the latent key needs final hidden states, so it merges after.
 */
export async function levelSearch(ctx: SearchContext, options: LevelSearchOptions): Promise<LevelSearchResult> {
  const tokenizer = ctx.model.tokenizer;
  const promptLength = ctx.promptIds.length;
  const latentKey = options.merge.kind === 'latent';
  const levels: SearchLevel[] = [];
  const finished: number[] = [];
  let live: number[] = [ctx.rootId];
  let finishedHere: number[] = [];
  ctx.tree.update((draft) => {
    draft.nodes[ctx.rootId]!.forwardLogMass = 0;
  });

  const candidateOf = (nodeId: number, lastHidden?: Float32Array): MergeCandidate => {
    const node = ctx.tree.node(nodeId);
    return {
      nodeId,
      score: node.score,
      logMass: massOf(node),
      tokens: [...ctx.promptIds, ...ctx.tree.pathTokens(nodeId)],
      ...(lastHidden ? { lastHidden } : {}),
    };
  };

  /** Merges the given live hypotheses into states and caps them at the width; returns the survivors. */
  const mergeAndCap = (ids: number[], hidden?: Map<number, Float32Array>): number[] => {
    const groups = mergeHypotheses(
      options.merge,
      ids.map((id) => candidateOf(id, hidden?.get(id))),
      tokenizer,
      promptLength,
    );
    groups.sort((a, b) => byScore(a.survivor, b.survivor));
    const kept = groups.slice(0, options.width);
    const cut = groups.slice(options.width);
    ctx.tree.update((draft) => {
      for (const group of groups) {
        if (group.absorbed.length === 0) continue;
        const survivor = draft.nodes[group.survivor.nodeId]!;
        survivor.forwardLogMass = group.logMass;
        for (const a of group.absorbed) {
          const absorbed = draft.nodes[a.nodeId]!;
          for (const p of absorbed.parents) if (!survivor.parents.includes(p)) survivor.parents.push(p);
          absorbed.status = 'merged';
          absorbed.mergedInto = survivor.id;
        }
      }
      for (const group of cut) setStatus(draft, group.survivor.nodeId, 'pruned');
    });
    const dropped = [...cut.map((g) => g.survivor.nodeId), ...groups.flatMap((g) => g.absorbed.map((a) => a.nodeId))];
    ctx.evaluator.release(dropped);
    return kept.map((g) => g.survivor.nodeId);
  };

  for (let depth = 0; ; depth++) {
    ctx.checkpoint();
    const toEvaluate = [...live, ...(options.evaluateFinished ? finishedHere : [])];
    if (toEvaluate.length === 0) break;
    const evaluations = await ctx.evaluator.evaluate(toEvaluate);
    const byId = new Map<number, NodeEvaluation>(evaluations.map((e) => [e.nodeId, e]));
    ctx.tree.update((draft) => {
      for (const e of evaluations) {
        const wasFinished = draft.nodes[e.nodeId]!.status === 'finished';
        recordEvaluation(draft, e, options.topkShown, tokenizer);
        if (wasFinished) draft.nodes[e.nodeId]!.status = 'finished';
      }
    });
    const hidden = new Map<number, Float32Array>();
    for (const e of evaluations) if (e.lastHidden) hidden.set(e.nodeId, e.lastHidden);
    if (latentKey && depth > 0) live = mergeAndCap(live, hidden);
    const members = [...live, ...(options.evaluateFinished ? finishedHere : [])];
    const memberHidden = new Map<number, Float32Array>();
    for (const id of members) if (hidden.has(id)) memberHidden.set(id, hidden.get(id)!);
    levels.push({ depth, members, lastHidden: memberHidden });
    if (depth >= options.maxNewTokens || live.length === 0) break;

    const atLimit = depth + 1 >= options.maxNewTokens;
    const candidates: number[] = [];
    const nextFinished: number[] = [];
    ctx.tree.update((draft) => {
      for (const parent of live) {
        const evaluation = byId.get(parent)!;
        const parentMass = massOf(draft.nodes[parent]!);
        for (const token of childTokens(evaluation.logprobs, options.topK, options.topP)) {
          const lp = evaluation.logprobs[token]!;
          const done = ctx.eosIds.has(token) || atLimit;
          const child = addTokenChild(draft, tokenizer, parent, token, lp, done ? 'finished' : 'frontier');
          draft.nodes[child]!.forwardLogMass = parentMass + lp;
          (done ? nextFinished : candidates).push(child);
        }
      }
    });
    // the parents of this depth will not be extended again; neither will finished hypotheses once evaluated
    const parentsOfLevel = new Set<number>();
    for (const id of toEvaluate) {
      const p = ctx.tree.node(id).parents[0];
      if (p !== undefined) parentsOfLevel.add(p);
    }
    ctx.evaluator.release([...parentsOfLevel, ...(options.evaluateFinished ? finishedHere : [])]);
    finished.push(...nextFinished);
    finishedHere = nextFinished;
    live = latentKey ? candidates : mergeAndCap(candidates);
    ctx.progress((depth + 1) / options.maxNewTokens, `${options.label ?? 'depth'} ${depth + 1}: ${live.length} live, ${finished.length} finished`);
  }
  return { levels, finished };
}

/** Finished hypotheses best first by score (ties: older node first). */
export function rankFinished(ctx: SearchContext, finished: number[], limit: number): { nodeId: number; score: number }[] {
  return finished
    .map((nodeId) => ({ nodeId, score: ctx.tree.node(nodeId).score }))
    .sort(byScore)
    .slice(0, limit);
}
