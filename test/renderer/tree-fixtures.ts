import { enablePatches, produceWithPatches, type Patch } from 'immer';
import type { TreeNode, TreeState } from '../../src/shared/tree';

enablePatches();

export function rootTree(): TreeState {
  return {
    rootId: 0,
    nodes: {
      0: {
        id: 0,
        parents: [],
        kind: 'prompt',
        tokenId: null,
        text: 'p',
        logprob: 0,
        score: 0,
        depth: 0,
        status: 'frontier',
      },
    },
    order: [0],
  };
}

/** A deterministic pseudo-random generator (mulberry32), so failures reproduce. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Grows a tree the way the engine's store does (immer produceWithPatches, nodes keyed by id): each step
 * adds children, expands or prunes nodes, records top-k, and now and then merges a node into another
 * (a second parent). Returns every step's patches and the final state.
 */
export function growTree(steps: number, seed = 1): { start: TreeState; batches: Patch[][]; final: TreeState } {
  const random = seeded(seed);
  const start = rootTree();
  let state = start;
  const batches: Patch[][] = [];
  for (let s = 0; s < steps; s++) {
    const [next, patches] = produceWithPatches(state, (draft) => {
      const frontier = draft.order.filter((id) => draft.nodes[id]!.status === 'frontier');
      const parentId = frontier.length > 0 ? frontier[Math.floor(random() * frontier.length)]! : 0;
      const parent = draft.nodes[parentId]!;
      parent.status = 'expanded';
      parent.entropy = random();
      parent.topk = [{ tokenId: 1, text: 'a', logprob: -0.1 }];
      const kids = 1 + Math.floor(random() * 3);
      for (let k = 0; k < kids; k++) {
        const id = draft.order.length;
        const logprob = -random() * 3;
        const node: TreeNode = {
          id,
          parents: [parentId],
          kind: 'token',
          tokenId: k * 7 + Math.floor(random() * 7), // siblings never share a token, as in the engine
          text: `t${id}`,
          logprob,
          score: parent.score + logprob,
          depth: parent.depth + 1,
          status: random() < 0.3 ? 'pruned' : 'frontier',
        };
        draft.nodes[id] = node;
        draft.order.push(id);
      }
      if (random() < 0.2 && draft.order.length > 4) {
        const a = draft.order[draft.order.length - 1]!;
        const b = draft.order[1]!;
        if (a !== b) draft.nodes[a]!.parents.push(b);
      }
    });
    state = next;
    batches.push(patches);
  }
  return { start, batches, final: state };
}
