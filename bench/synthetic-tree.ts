import type { TreeNode, TreeState } from '../src/shared/tree';

/**
 * A beam-search-shaped tree of about `size` nodes: per depth, `width` kept hypotheses each get
 * `branching` children; the rest are pruned. Deterministic, so runs compare.
 */
export function beamShapedTree(size: number, width = 50, branching = 5): TreeState {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const nodes: Record<number, TreeNode> = {};
  const order: number[] = [];
  const add = (node: Omit<TreeNode, 'id'>) => {
    const id = order.length;
    nodes[id] = { ...node, id };
    order.push(id);
    return id;
  };
  let frontier = [
    add({
      parents: [],
      kind: 'prompt',
      tokenId: null,
      text: 'prompt',
      logprob: 0,
      score: 0,
      depth: 0,
      status: 'expanded',
    }),
  ];
  while (order.length < size) {
    const next: number[] = [];
    for (const parent of frontier) {
      const p = nodes[parent]!;
      p.status = 'expanded';
      p.topk = [];
      for (let k = 0; k < branching && order.length < size; k++) {
        const logprob = Math.log(random() * 0.9 + 0.05) - k * 0.5;
        next.push(
          add({
            parents: [parent],
            kind: 'token',
            tokenId: k * 97 + Math.floor(random() * 97),
            text: `w${order.length % 500}`,
            logprob,
            score: p.score + logprob,
            depth: p.depth + 1,
            status: 'frontier',
          }),
        );
      }
    }
    next.sort((a, b) => nodes[b]!.score - nodes[a]!.score);
    for (const id of next.slice(width)) nodes[id]!.status = 'pruned';
    frontier = next.slice(0, width);
  }
  return { rootId: 0, nodes, order };
}
