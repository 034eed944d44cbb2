import type { MergeKey } from '../../../shared/strategies';
import type { LabTokenizer } from '../model/tokenizer';
import { cosineSimilarity } from '../math/vectors';
import { logSumExp } from '../math/log-softmax';

/** One hypothesis offered for merging: its node, its Viterbi score, its forward mass and what a key reads. */
export interface MergeCandidate {
  nodeId: number;
  score: number;
  /** log-sum-exp of the masses of every path into it */
  logMass: number;
  /** prompt + generated token ids along its first-parent path (read by the last-n and text keys only) */
  tokens: readonly number[];
  /** final hidden state after the final norm (only for the latent key) */
  lastHidden?: Float32Array;
}

/** A merged state: the survivor (best score) and the hypotheses it absorbs. */
export interface MergeGroup {
  survivor: MergeCandidate;
  absorbed: MergeCandidate[];
  /** log-sum-exp of every member's mass */
  logMass: number;
}

/** Best score first; ties go to the older node (lower id), so merging is deterministic. */
export function byScore(a: { score: number; nodeId: number }, b: { score: number; nodeId: number }): number {
  return b.score - a.score || a.nodeId - b.nodeId;
}

const utf8 = new TextEncoder();

/**
 * The decoded text of generated tokens. Text that is not valid UTF-8 on its own (a byte-level token cut inside a
 * character) decodes to U+FFFD, which would make different bytes look equal: then the raw bytes join the key.
 */
export function textKey(tokens: readonly number[], tokenizer: LabTokenizer): string {
  if (tokens.length === 0) return '';
  const text = tokenizer.decode([...tokens], false);
  if (!text.includes('\ufffd')) return text;
  const hex = tokens
    .map((t) => {
      const { text: own, bytes } = tokenizer.tokenText(t);
      return bytes ?? Buffer.from(utf8.encode(own)).toString('hex');
    })
    .join('');
  return `${text}\u0000${hex}`;
}

/** The discrete key of a hypothesis (none / last-n / text), or null for keys that are not discrete. */
export function discreteMergeKey(
  key: MergeKey,
  candidate: MergeCandidate,
  tokenizer: LabTokenizer,
  promptLength: number,
): string | null {
  switch (key.kind) {
    case 'none':
      return `#${candidate.nodeId}`;
    case 'last-n':
      return candidate.tokens.slice(Math.max(0, candidate.tokens.length - key.n)).join(',');
    case 'text':
      return textKey(candidate.tokens.slice(promptLength), tokenizer);
    case 'latent':
      return null;
  }
}

function groupOf(members: MergeCandidate[]): MergeGroup {
  const sorted = [...members].sort(byScore);
  return { survivor: sorted[0]!, absorbed: sorted.slice(1), logMass: logSumExp(sorted.map((m) => m.logMass)) };
}

/**
 * Partitions hypotheses of one level into merged states. Discrete keys group equal keys. The latent key is
 * greedy in score order: each hypothesis joins the first (best) survivor whose final hidden state has cosine
 * similarity ≥ τ with its own, otherwise it founds a new state. Groups come back best survivor first.
 */
export function mergeHypotheses(
  key: MergeKey,
  candidates: MergeCandidate[],
  tokenizer: LabTokenizer,
  promptLength: number,
): MergeGroup[] {
  const ordered = [...candidates].sort(byScore);
  if (key.kind === 'latent') {
    const groups: MergeCandidate[][] = [];
    for (const c of ordered) {
      if (!c.lastHidden) throw new Error('the latent merge key needs the final hidden state of every hypothesis');
      const home = groups.find((g) => cosineSimilarity(g[0]!.lastHidden!, c.lastHidden!) >= key.tau);
      if (home) home.push(c);
      else groups.push([c]);
    }
    return groups.map(groupOf);
  }
  const byKey = new Map<string, MergeCandidate[]>();
  for (const c of ordered) {
    const k = discreteMergeKey(key, c, tokenizer, promptLength)!;
    const members = byKey.get(k);
    if (members) members.push(c);
    else byKey.set(k, [c]);
  }
  return [...byKey.values()].map(groupOf);
}
