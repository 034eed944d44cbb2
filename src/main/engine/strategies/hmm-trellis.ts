import type { TrellisDepth, Transition } from '../../../shared/analysis';
import { toLogValue } from '../../../shared/analysis';
import { logSumExp } from '../math/log-softmax';

/** One hypothesis of the explored lattice at one depth, with its latent state. */
export interface TrellisMember {
  nodeId: number;
  /** the hypothesis it extends (a member of the previous depth); null at depth 0 */
  parentId: number | null;
  /** log-probability of its path (its forward mass) */
  logMass: number;
  /** best-path score (for picking a state's best member) */
  score: number;
  state: number;
  /** ends here (EOS or the token limit) */
  finished: boolean;
}

export interface TrellisResult {
  trellis: TrellisDepth[];
  transitions: Transition[];
  viterbi: { path: number[]; logProb: number | null };
  answer: { depth: number; state: number; nodeId: number; logMass: number; share: number } | null;
}

const NEG = -Infinity;

/**
 * The forward–backward pass of the HMM view over an explored lattice whose hypotheses are grouped into latent
 * states per depth (depth 0 is the prompt, one state).
 *
 * α_t(j) = log Σ of the path probabilities of the hypotheses in state j at depth t.
 * M_t(i→j) = the mass of the hypotheses in j whose parent is in i; A_t(i→j) = M_t(i→j) / α_{t-1}(i).
 * e_t(j) = the mass of the hypotheses in j that finish at t (EOS or the limit).
 * β_t(i) = e_t(i)/α_t(i) + Σ_j A_{t+1}(i→j) β_{t+1}(j): the explored continuation mass per unit of α, ending included.
 * Z_t = Σ_i α_t(i) β_t(i) = the explored mass of complete sequences reaching depth t (Z_t = e_t + Z_{t+1}),
 * so it is 1 at every depth when nothing is cut; γ_t(i) = α_t(i) β_t(i) / Z_t sums to 1 per depth.
 * Viterbi: δ_t(j) = max_i δ_{t-1}(i) + log A_t(i→j); the best path ends where δ_t(i) + log(e_t(i)/α_t(i)) is largest.
 */
export function buildTrellis(depths: TrellisMember[][]): TrellisResult {
  const T = depths.length;
  const stateCount = depths.map((members) => (members.length === 0 ? 0 : Math.max(...members.map((m) => m.state)) + 1));
  const stateOf = new Map<number, number>();
  for (const members of depths) for (const m of members) stateOf.set(m.nodeId, m.state);

  const alpha: number[][] = [];
  const end: number[][] = [];
  const flow: Map<string, number[]>[] = []; // flow[t] key "i>j" → masses
  for (let t = 0; t < T; t++) {
    const masses = Array.from({ length: stateCount[t]! }, () => [] as number[]);
    const ends = Array.from({ length: stateCount[t]! }, () => [] as number[]);
    const f = new Map<string, number[]>();
    for (const m of depths[t]!) {
      masses[m.state]!.push(m.logMass);
      if (m.finished) ends[m.state]!.push(m.logMass);
      if (t > 0 && m.parentId !== null) {
        const from = stateOf.get(m.parentId);
        if (from === undefined)
          throw new Error(`hypothesis ${m.nodeId} extends ${m.parentId}, which is not in the trellis`);
        const key = `${from}>${m.state}`;
        const list = f.get(key);
        if (list) list.push(m.logMass);
        else f.set(key, [m.logMass]);
      }
    }
    alpha.push(masses.map(logSumExp));
    end.push(ends.map(logSumExp));
    flow.push(f);
  }

  const transitions: Transition[] = [];
  const logA: Map<string, number>[] = [new Map()];
  for (let t = 1; t < T; t++) {
    const a = new Map<string, number>();
    const entries = [...flow[t]!.entries()].map(([key, masses]) => {
      const [from, to] = key.split('>').map(Number) as [number, number];
      return { from, to, logProb: logSumExp(masses) - alpha[t - 1]![from]! };
    });
    entries.sort((x, y) => x.from - y.from || x.to - y.to);
    for (const e of entries) {
      a.set(`${e.from}>${e.to}`, e.logProb);
      transitions.push({ depth: t, ...e });
    }
    logA.push(a);
  }

  // backward
  const beta: number[][] = Array.from({ length: T }, (_, t) => new Array<number>(stateCount[t]!).fill(NEG));
  for (let t = T - 1; t >= 0; t--) {
    for (let i = 0; i < stateCount[t]!; i++) {
      const terms = [end[t]![i]! - alpha[t]![i]!];
      if (t + 1 < T) {
        for (const [key, la] of logA[t + 1]!) {
          const [from, to] = key.split('>').map(Number) as [number, number];
          if (from === i) terms.push(la + beta[t + 1]![to]!);
        }
      }
      beta[t]![i] = logSumExp(terms.filter((x) => !Number.isNaN(x)));
    }
  }

  // Viterbi over states
  const delta: number[][] = [];
  const back: (number | null)[][] = [];
  for (let t = 0; t < T; t++) {
    const d = new Array<number>(stateCount[t]!).fill(NEG);
    const b = new Array<number | null>(stateCount[t]!).fill(null);
    if (t === 0) {
      for (let j = 0; j < stateCount[0]!; j++) d[j] = alpha[0]![j]!;
    } else {
      for (const [key, la] of logA[t]!) {
        const [from, to] = key.split('>').map(Number) as [number, number];
        const candidate = delta[t - 1]![from]! + la;
        if (candidate > d[to]! || (candidate === d[to]! && b[to] !== null && from < b[to]!)) {
          d[to] = candidate;
          b[to] = from;
        }
      }
    }
    delta.push(d);
    back.push(b);
  }
  let bestEnd: { t: number; i: number; value: number } | null = null;
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < stateCount[t]!; i++) {
      if (end[t]![i] === NEG) continue;
      const value = delta[t]![i]! + end[t]![i]! - alpha[t]![i]!;
      if (!bestEnd || value > bestEnd.value) bestEnd = { t, i, value };
    }
  }
  const path: number[] = [];
  if (bestEnd) {
    let state: number | null = bestEnd.i;
    for (let t = bestEnd.t; t >= 0 && state !== null; t--) {
      path.unshift(state);
      state = back[t]![state]!;
    }
  }

  const trellis: TrellisDepth[] = [];
  const allEnds: number[] = [];
  let answer: TrellisResult['answer'] = null;
  for (let t = 0; t < T; t++) {
    const logZ = logSumExp(alpha[t]!.map((a, i) => a + beta[t]![i]!));
    const states = Array.from({ length: stateCount[t]! }, (_, i) => {
      const members = depths[t]!.filter((m) => m.state === i);
      const best = members.reduce((x, y) =>
        y.score > x.score || (y.score === x.score && y.nodeId < x.nodeId) ? y : x,
      );
      const g = logZ === NEG ? 0 : Math.exp(alpha[t]![i]! + beta[t]![i]! - logZ);
      if (end[t]![i]! !== NEG) {
        allEnds.push(end[t]![i]!);
        if (!answer || end[t]![i]! > answer.logMass) {
          const finishedMembers = members.filter((m) => m.finished);
          const bestFinished = finishedMembers.reduce((x, y) =>
            y.score > x.score || (y.score === x.score && y.nodeId < x.nodeId) ? y : x,
          );
          answer = { depth: t, state: i, nodeId: bestFinished.nodeId, logMass: end[t]![i]!, share: 0 };
        }
      }
      return {
        state: i,
        alpha: toLogValue(alpha[t]![i]!),
        beta: toLogValue(beta[t]![i]!),
        gamma: Math.min(1, Math.max(0, g)),
        endMass: toLogValue(end[t]![i]!),
        members: members.map((m) => m.nodeId),
        best: best.nodeId,
        delta: toLogValue(delta[t]![i]!),
        backPointer: back[t]![i]!,
      };
    });
    trellis.push({ depth: t, logZ: toLogValue(logZ), states });
  }
  if (answer) {
    const a = answer as NonNullable<TrellisResult['answer']>;
    a.share = Math.min(1, Math.exp(a.logMass - logSumExp(allEnds)));
  }
  return { trellis, transitions, viterbi: { path, logProb: bestEnd ? toLogValue(bestEnd.value) : null }, answer };
}
