import type { TreeState } from '../../../shared/tree';
import type { CriticalToken } from '../../../shared/run';

/**
 * Critical tokens: the nodes whose children lead to different answers. Each node's answers are those of the
 * finished hypotheses below it (a merged hypothesis continues as its survivor, so it leads where the survivor
 * leads); a node is critical when two of its children that reach any answer reach different sets of them.
 * `answerOf` names a finished node's answer (the task checker's, or the final text).
 */
export function findCriticalTokens(tree: TreeState, answerOf: (nodeId: number) => string): CriticalToken[] {
  const finished = tree.order.filter((id) => tree.nodes[id]!.status === 'finished');
  // two branches with different answers need two finished hypotheses (a greedy chain has one)
  if (finished.length < 2) return [];
  const children = new Map<number, number[]>();
  /** the merged hypotheses that continue as each survivor */
  const mergedInto = new Map<number, number[]>();
  for (const id of tree.order) {
    const node = tree.nodes[id]!;
    for (const parent of node.parents) {
      const list = children.get(parent);
      if (list) list.push(id);
      else children.set(parent, [id]);
    }
    if (node.status === 'merged' && node.mergedInto !== undefined) {
      const list = mergedInto.get(node.mergedInto);
      if (list) list.push(id);
      else mergedInto.set(node.mergedInto, [id]);
    }
  }
  // answers flow up from the finished hypotheses only (most nodes of a wide search reach none): to each parent
  // that is not a merged hypothesis (those lead where their survivor leads), and from a survivor to what merged into it
  const answers = new Map<number, Set<string>>();
  const reach = (id: number, answer: string, queue: number[]): void => {
    let set = answers.get(id);
    if (!set) answers.set(id, (set = new Set()));
    if (set.has(answer)) return;
    set.add(answer);
    queue.push(id);
  };
  for (const id of finished) {
    const answer = answerOf(id);
    const queue: number[] = [];
    reach(id, answer, queue);
    while (queue.length > 0) {
      const id = queue.pop()!;
      for (const parent of tree.nodes[id]!.parents) {
        const node = tree.nodes[parent]!;
        if (!(node.status === 'merged' && node.mergedInto !== undefined)) reach(parent, answer, queue);
      }
      for (const merged of mergedInto.get(id) ?? []) reach(merged, answer, queue);
    }
  }
  const critical: CriticalToken[] = [];
  for (const id of tree.order) {
    const node = tree.nodes[id]!;
    if (node.status === 'merged' || !answers.has(id)) continue;
    const branches = (children.get(id) ?? [])
      .filter((childId) => answers.has(childId))
      .map((childId) => ({ childId, answers: [...answers.get(childId)!].sort() }));
    if (new Set(branches.map((b) => JSON.stringify(b.answers))).size > 1) critical.push({ nodeId: id, branches });
  }
  return critical;
}
