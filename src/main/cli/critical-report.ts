import type { RunResult } from '../../shared/run';
import type { TreeState } from '../../shared/tree';

/** The critical tokens of a run, one line each: the path before the node, then each child → its answers. */
export function formatCritical(tree: TreeState, result: RunResult, limit = 10): string | null {
  const critical = result.critical ?? [];
  if (critical.length === 0) return null;
  const textOf = (id: number) => tree.nodes[id]!.text;
  const pathText = (id: number) => {
    const parts: string[] = [];
    for (let n = tree.nodes[id]!; n.parents.length > 0; n = tree.nodes[n.parents[0]!]!) parts.unshift(n.text);
    return parts.join(' ').trim() || '(the prompt)';
  };
  const lines = [`critical tokens: ${critical.length} (nodes whose children lead to different answers)`];
  for (const c of critical.slice(0, limit)) {
    const branches = c.branches
      .map((b) => `${JSON.stringify(textOf(b.childId))} → ${b.answers.join(' | ')}`)
      .join(';  ');
    lines.push(`  after ${JSON.stringify(pathText(c.nodeId))} (depth ${tree.nodes[c.nodeId]!.depth}): ${branches}`);
  }
  if (critical.length > limit) lines.push(`  … ${critical.length - limit} more`);
  return lines.join('\n');
}
