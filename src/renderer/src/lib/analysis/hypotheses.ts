import type { TreeState } from '../../../../shared/tree';

/**
 * A hypothesis's text from the tree alone (the inspector asks the engine for the exact decoding): its tokens from
 * the root, joined as the tokenizer would (with their own spaces, or with spaces for whole-word vocabularies);
 * thoughts show as θ.
 */
export function hypothesisText(tree: TreeState, nodeId: number): string {
  const parts: { text: string; thought: boolean }[] = [];
  for (let id: number | undefined = nodeId; id !== undefined;) {
    const node: TreeState['nodes'][number] | undefined = tree.nodes[id];
    if (!node || node.kind === 'prompt') break;
    if (node.kind === 'thought') parts.push({ text: 'θ', thought: true });
    else if (!/^<[^>]+>$|^\[[A-Z]+\]$/.test(node.text)) parts.push({ text: node.text, thought: false });
    id = node.parents[0];
  }
  parts.reverse();
  const spaced = parts.some((p) => !p.thought && /^\s/.test(p.text));
  return (spaced ? parts.map((p) => (p.thought ? ' θ' : p.text)).join('') : parts.map((p) => p.text).join(' ')).trim();
}
