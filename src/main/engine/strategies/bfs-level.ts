import type { MergeKey } from '../../../shared/strategies';
import type { SearchContext } from '../search/search-context';
import type { NodeEvaluation } from '../runtime/evaluator';
import { logprobAt, topTokenIds, type LogitDistribution } from '../math/log-softmax';
import { recordEvaluation } from '../search/node-records';
import { checkNodeCap } from '../search/run-limits';
import { addNode, setStatus, type TreeDraft } from '../tree/tree-store';
import { searchStep } from '../search/search-step';
import type { NodeStatus } from '../../../shared/tree';
import { byScore, mergeHypotheses, type MergeCandidate, type MergeGroup } from './merge-keys';

/**
 * The children a node expands into: its most likely tokens, at most `topK` of them, stopping once the tokens
 * already taken reach cumulative probability `topP` (the first token is always taken; topP ≥ 1 keeps all k).
 * Best first; ties go to the lower token id.
 */
export function childTokens(d: LogitDistribution, topK: number, topP: number): number[] {
  const best = topTokenIds(d, topK);
  if (topP >= 1) return best;
  const out: number[] = [];
  let cumulative = 0;
  for (const token of best) {
    if (out.length > 0 && cumulative >= topP) break;
    out.push(token);
    cumulative += Math.exp(logprobAt(d, token));
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
  /** the tokens a node expands into (default: its top-k within top-p) */
  children?: (evaluation: NodeEvaluation) => number[];
  /** also evaluate the hypotheses that finish at a depth (EOS or the limit): the HMM clusters their hidden states */
  evaluateFinished?: boolean;
  label?: string;
}

type LevelSettings = Pick<LevelSearchOptions, 'topK' | 'topP' | 'width' | 'maxNewTokens' | 'topkShown'>;

/** The settings every level-synchronous strategy (BFS, HMM, adaptive) passes on from its config as they are. */
export function levelSettings({ topK, topP, width, maxNewTokens, topkShown }: LevelSettings): LevelSettings {
  return { topK, topP, width, maxNewTokens, topkShown };
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
  const tokenKey = options.merge.kind === 'last-n' || options.merge.kind === 'text';
  const levels: SearchLevel[] = [];
  const finished: number[] = [];
  let live: number[] = [ctx.rootId];
  let finishedHere: number[] = [];
  /** the previous depth's evaluated hypotheses: the parents of this depth's, never extended after it */
  let previous: number[] | undefined;
  ctx.tree.update((draft) => {
    draft.nodes[ctx.rootId]!.forwardLogMass = 0;
  });

  /** Groups hypotheses into states and caps them at the width (plain data; the tree is written once per depth). */
  const mergeAndCap = (candidates: MergeCandidate[]) => {
    const groups = mergeHypotheses(options.merge, candidates, tokenizer, promptLength);
    groups.sort((a, b) => byScore(a.survivor, b.survivor));
    return { groups, kept: groups.slice(0, options.width), cut: groups.slice(options.width) };
  };

  for (let depth = 0; ; depth++) {
    const toEvaluate = [...live, ...(options.evaluateFinished ? finishedHere : [])];
    if (toEvaluate.length === 0) {
      ctx.checkpoint();
      break;
    }
    const { result: step } = await searchStep(ctx, {
      evaluate: toEvaluate,
      ...(previous ? { reuses: previous } : {}),
      record: (draft, evaluations) => recordDepth(draft, evaluations, depth),
      // the parents of this depth, dropped hypotheses and evaluated finished ones will not be extended again
      release: ({ latentMerge }) => {
        const released = new Set<number>();
        for (const id of toEvaluate) {
          const p = ctx.tree.node(id).parents[0];
          if (p !== undefined) released.add(p);
        }
        if (options.evaluateFinished) for (const id of finishedHere) released.add(id);
        if (latentMerge) {
          for (const g of latentMerge.cut) released.add(g.survivor.nodeId);
          for (const g of latentMerge.groups) for (const a of g.absorbed) released.add(a.nodeId);
        }
        return released;
      },
      progress: ({ expand, nextLive, nextFinished }) =>
        expand
          ? [
              (depth + 1) / options.maxNewTokens,
              `${options.label ?? 'depth'} ${depth + 1}: ${nextLive.length} live, ${finished.length + nextFinished.length} finished`,
            ]
          : null,
    });
    if (!step.expand) break;
    previous = toEvaluate;
    finished.push(...step.nextFinished);
    finishedHere = step.nextFinished;
    live = step.nextLive;
  }
  return { levels, finished };

  /**
   * One depth, written into the tree as one step: the evaluated hypotheses' distributions, the latent merge,
   * and the children (planned as plain data first; ids are allocated in plan order).
   */
  function recordDepth(draft: TreeDraft, evaluations: NodeEvaluation[], depth: number) {
    const byId = new Map<number, NodeEvaluation>(evaluations.map((e) => [e.nodeId, e]));
    const hidden = new Map<number, Float32Array>();
    for (const e of evaluations) if (e.lastHidden) hidden.set(e.nodeId, e.lastHidden);

    // the latent key merges evaluated hypotheses, by their final hidden states
    const mass = new Map<number, number>();
    let latentMerge: ReturnType<typeof mergeAndCap> | null = null;
    if (latentKey && depth > 0) {
      latentMerge = mergeAndCap(
        live.map((nodeId) => {
          const node = ctx.tree.node(nodeId);
          return { nodeId, score: node.score, logMass: massOf(node), tokens: [], lastHidden: hidden.get(nodeId)! };
        }),
      );
      for (const g of latentMerge.groups) mass.set(g.survivor.nodeId, g.logMass);
      live = latentMerge.kept.map((g) => g.survivor.nodeId);
    }
    const members = [...live, ...(options.evaluateFinished ? finishedHere : [])];
    const memberHidden = new Map<number, Float32Array>();
    for (const id of members) if (hidden.has(id)) memberHidden.set(id, hidden.get(id)!);
    levels.push({ depth, members, lastHidden: memberHidden });
    const expand = depth < options.maxNewTokens && live.length > 0;

    // the children of this depth as plain data; ids are allocated in this order inside the update below
    const atLimit = depth + 1 >= options.maxNewTokens;
    const firstId = ctx.tree.size;
    const plans: (MergeCandidate & { parent: number; token: number; logprob: number; done: boolean })[] = [];
    if (expand) {
      for (const parent of live) {
        const evaluation = byId.get(parent)!;
        const node = ctx.tree.node(parent);
        const parentMass = mass.get(parent) ?? massOf(node);
        const prefix = tokenKey ? [...ctx.promptIds, ...ctx.tree.pathTokens(parent)] : [];
        const tokens = options.children
          ? options.children(evaluation)
          : childTokens(evaluation, options.topK, options.topP);
        checkNodeCap(
          firstId + plans.length,
          tokens.length,
          ctx.maxNodes,
          `the width, top-k or max-new-tokens (${options.label ?? 'depth'} ${depth + 1})`,
        );
        for (const token of tokens) {
          const logprob = logprobAt(evaluation, token);
          plans.push({
            nodeId: firstId + plans.length,
            parent,
            token,
            logprob,
            score: node.score + logprob,
            logMass: parentMass + logprob,
            tokens: tokenKey ? [...prefix, token] : [],
            done: ctx.eosIds.has(token) || atLimit,
          });
        }
      }
    }
    const open = plans.filter((p) => !p.done);
    const discrete = !latentKey ? mergeAndCap(open) : null;
    // what each child becomes: status, extra parents, merged mass, the state it merged into
    const fate = new Map<number, { status: NodeStatus; mass: number; parents?: number[]; mergedInto?: number }>();
    const parentOf = new Map(plans.map((p) => [p.nodeId, p.parent]));
    const settle = (groups: MergeGroup[], statusOf: (rank: number) => NodeStatus) => {
      for (const [i, g] of groups.entries()) {
        const extra = g.absorbed.map((a) => parentOf.get(a.nodeId)!);
        const parents = [...new Set([parentOf.get(g.survivor.nodeId)!, ...extra])];
        fate.set(g.survivor.nodeId, { status: statusOf(i), mass: g.logMass, parents });
        for (const a of g.absorbed)
          fate.set(a.nodeId, { status: 'merged', mass: a.logMass, mergedInto: g.survivor.nodeId });
      }
    };
    if (discrete) settle(discrete.groups, (i) => (i < options.width ? 'frontier' : 'pruned'));
    // finished hypotheses merge too (never capped), so a finished state's mass sums every path into it
    if (discrete)
      settle(
        mergeHypotheses(
          options.merge,
          plans.filter((p) => p.done),
          tokenizer,
          promptLength,
        ),
        () => 'finished',
      );

    const nextFinished: number[] = [];
    for (const e of evaluations) {
      const node = draft.nodes[e.nodeId]!;
      const wasFinished = node.status === 'finished';
      recordEvaluation(draft, e, options.topkShown, tokenizer);
      if (wasFinished) node.status = 'finished';
    }
    if (latentMerge) {
      for (const g of latentMerge.groups) {
        if (g.absorbed.length > 0) {
          const survivor = draft.nodes[g.survivor.nodeId]!;
          survivor.forwardLogMass = g.logMass;
          for (const a of g.absorbed) {
            const absorbed = draft.nodes[a.nodeId]!;
            for (const p of absorbed.parents) if (!survivor.parents.includes(p)) survivor.parents.push(p);
            absorbed.status = 'merged';
            absorbed.mergedInto = survivor.id;
          }
        }
      }
      for (const g of latentMerge.cut) setStatus(draft, g.survivor.nodeId, 'pruned');
    }
    for (const plan of plans) {
      const { text, bytes } = tokenizer.tokenText(plan.token);
      const f = fate.get(plan.nodeId) ?? {
        status: plan.done ? ('finished' as const) : ('frontier' as const),
        mass: plan.logMass,
      };
      const id = addNode(draft, {
        parents: f.parents ?? [plan.parent],
        kind: 'token',
        tokenId: plan.token,
        text,
        ...(bytes ? { bytes } : {}),
        logprob: plan.logprob,
        score: plan.score,
        depth: depth + 1,
        status: f.status,
        forwardLogMass: f.mass,
        ...(f.mergedInto !== undefined ? { mergedInto: f.mergedInto } : {}),
      });
      if (id !== plan.nodeId) throw new Error(`node ids out of step (${id} ≠ ${plan.nodeId})`);
      if (plan.done && f.status === 'finished') nextFinished.push(id);
    }
    const nextLive = discrete ? discrete.kept.map((g) => g.survivor.nodeId) : open.map((p) => p.nodeId);
    return { expand, nextFinished, nextLive, latentMerge };
  }
}

/** Finished hypotheses best first by score (ties: older node first). */
export function rankFinished(
  ctx: SearchContext,
  finished: number[],
  limit: number,
): { nodeId: number; score: number }[] {
  return finished
    .map((nodeId) => ({ nodeId, score: ctx.tree.node(nodeId).score }))
    .sort(byScore)
    .slice(0, limit);
}
