import type { LensLayer, TopToken, TreeNode, TreeState } from '../../../../shared/tree';
import type { LatentAnalysis, ThoughtSummary } from '../../../../shared/analysis';

export interface ThoughtBar {
  text: string;
  prob: number;
  /** at or above the run's big-logit threshold */
  big: boolean;
  /** null when the run has no ground truth; else whether the token is a concept on the true frontier */
  onFrontier: boolean | null;
}

export interface LensHeatmap {
  /** the tokens (columns): every token in some layer's top list, best-ranked first */
  tokens: string[];
  /** rows per layer, bottom (0) first: the probability of each column's token, null when outside that layer's top list */
  rows: { layer: number; probs: (number | null)[]; entropy: number }[];
}

export interface ThoughtView {
  index: number;
  nodeId: number;
  bars: ThoughtBar[];
  bigLogits: number | null;
  bigMass: number | null;
  entropy: number | null;
  frontierRecall: number | null;
  /** the true breadth-first frontier this thought is scored against (concepts reachable in index + 1 steps) */
  frontier: string[] | null;
  /** frontier concepts the readout's big logits include / miss */
  frontierHit: string[];
  frontierMissed: string[];
  lens: LensHeatmap | null;
}

/** The logit lens of one position as a layers × tokens grid (at most `maxTokens` columns). */
export function lensHeatmap(lens: readonly LensLayer[], maxTokens = 8): LensHeatmap {
  const score = new Map<string, number>();
  for (const layer of lens)
    for (const t of layer.topk) score.set(t.text, Math.max(score.get(t.text) ?? 0, Math.exp(t.logprob)));
  const tokens = [...score]
    .sort((a, b) => b[1] - a[1])
    .slice(0, maxTokens)
    .map(([text]) => text);
  return {
    tokens,
    rows: [...lens]
      .sort((a, b) => a.layer - b.layer)
      .map((layer) => {
        const probs = new Map(layer.topk.map((t) => [t.text, Math.exp(t.logprob)]));
        return { layer: layer.layer, probs: tokens.map((t) => probs.get(t) ?? null), entropy: layer.entropy };
      }),
  };
}

const word = (text: string) => text.trim();

/**
 * One entry per continuous thought of a latent run, in order: what it superposes (its readout's top tokens, big
 * logits marked, each on or off the true frontier when the run answers a task example) and its logit lens.
 * `frontiers[k]` holds the concepts reachable in exactly k steps; thought i superposes step i + 1.
 */
export function thoughtViews(
  tree: TreeState,
  analysis: LatentAnalysis | null,
  frontiers: string[][] | null,
  maxBars = 8,
): ThoughtView[] {
  const thoughts: TreeNode[] = tree.order.map((id) => tree.nodes[id]!).filter((n) => n && n.kind === 'thought');
  const summaries = new Map<number, ThoughtSummary>((analysis?.thoughts ?? []).map((t) => [t.nodeId, t]));
  return thoughts.map((node, index) => {
    const readout = node.latent;
    const frontier = frontiers?.[index + 1] ?? null;
    const frontierSet = frontier ? new Set(frontier) : null;
    const threshold = readout?.bigLogitThreshold ?? Infinity;
    const topk: TopToken[] = readout?.topk ?? [];
    const bars = topk.slice(0, maxBars).map((t) => {
      const prob = Math.exp(t.logprob);
      return {
        text: t.text,
        prob,
        big: prob >= threshold,
        onFrontier: frontierSet ? frontierSet.has(word(t.text)) : null,
      };
    });
    const big = new Set(topk.filter((t) => Math.exp(t.logprob) >= threshold).map((t) => word(t.text)));
    const summary = summaries.get(node.id);
    return {
      index: summary?.index ?? index,
      nodeId: node.id,
      bars,
      bigLogits: readout?.bigLogits ?? null,
      bigMass: readout?.bigMass ?? null,
      entropy: readout?.entropy ?? null,
      frontierRecall: summary?.frontierRecall ?? readout?.frontierRecall ?? null,
      frontier,
      frontierHit: frontier ? frontier.filter((c) => big.has(c)) : [],
      frontierMissed: frontier ? frontier.filter((c) => !big.has(c)) : [],
      lens: node.lens && node.lens.length > 0 ? lensHeatmap(node.lens) : null,
    };
  });
}
