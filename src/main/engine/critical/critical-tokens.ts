import type { TreeState } from '../../../shared/tree';
import type { CriticalToken } from '../../../shared/run';

/**
 * Critical tokens: the nodes whose children lead to different answers. Each node's answers are those of the
 * finished hypotheses below it (a merged hypothesis continues as its survivor, so it leads where the survivor
 * leads); a node is critical when two of its children that reach any answer reach different sets of them.
 * `answerOf` names a finished node's answer (the task checker's, or the final text).
 */
export function findCriticalTokens(tree: TreeState, answerOf: (nodeId: number) => string): CriticalToken[] {
  // two branches with different answers need two finished hypotheses (a greedy chain has one)
  let finished = 0;
  for (const id of tree.order) if (tree.nodes[id]!.status === 'finished' && ++finished === 2) break;
  if (finished < 2) return [];
  const children = new Map<number, number[]>();
  for (const id of tree.order) {
    for (const parent of tree.nodes[id]!.parents) {
      const list = children.get(parent);
      if (list) list.push(id);
      else children.set(parent, [id]);
    }
  }
  const answers = new Map<number, Set<string>>();
  // children before parents, without recursion (a path can be thousands of tokens deep)
  const visit = (start: number): Set<string> => {
    const stack: number[] = [start];
    while (stack.length > 0) {
      const id = stack[stack.length - 1]!;
      if (answers.has(id)) {
        stack.pop();
        continue;
      }
      const node = tree.nodes[id]!;
      const next =
        node.status === 'merged' && node.mergedInto !== undefined ? [node.mergedInto] : (children.get(id) ?? []);
      const pending = next.filter((c) => !answers.has(c));
      if (pending.length > 0) {
        stack.push(...pending);
        continue;
      }
      stack.pop();
      const set = new Set<string>();
      if (node.status === 'finished') set.add(answerOf(id));
      for (const c of next) for (const a of answers.get(c)!) set.add(a);
      answers.set(id, set);
    }
    return answers.get(start)!;
  };
  visit(tree.rootId);
  const critical: CriticalToken[] = [];
  for (const id of tree.order) {
    const node = tree.nodes[id]!;
    if (node.status === 'merged') continue;
    const branches = (children.get(id) ?? [])
      .map((childId) => ({ childId, answers: [...(answers.get(childId) ?? [])].sort() }))
      .filter((b) => b.answers.length > 0);
    if (new Set(branches.map((b) => JSON.stringify(b.answers))).size > 1) critical.push({ nodeId: id, branches });
  }
  return critical;
}
