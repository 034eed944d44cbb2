import type { TreeState } from '../../../../shared/tree';

/**
 * A hypothesis's text from the tree alone (the inspector asks the engine for the exact decoding): its tokens from
 * the root, joined as the tokenizer would (with their own spaces, or with spaces for whole-word vocabularies);
 * thoughts show as θ.
 */
export function hypothesisText(tree: TreeState, nodeId: number): string {
  const parts: { text: string; thought: boolean }[] = [];
  for (let id: number | undefined = nodeId; id !== undefined; ) {
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

export interface AnswerMarginal {
  answer: string | null;
  prob: number;
}

/**
 * Answer marginals of a BFS lattice when the run carries them (the probability of each final answer summed over
 * every finished path): read from the analysis's `answerMarginals` list, by probability or log-probability.
 */
export function answerMarginals(analysis: Record<string, unknown> | undefined): AnswerMarginal[] | null {
  const list = analysis?.answerMarginals ?? analysis?.marginals;
  if (!Array.isArray(list)) return null;
  const out: AnswerMarginal[] = [];
  for (const item of list as Record<string, unknown>[]) {
    const answer = typeof item.answer === 'string' ? item.answer : null;
    const prob =
      typeof item.prob === 'number' ? item.prob
      : typeof item.probability === 'number' ? item.probability
      : typeof item.logProb === 'number' ? Math.exp(item.logProb)
      : typeof item.logMass === 'number' ? Math.exp(item.logMass)
      : null;
    if (prob !== null) out.push({ answer, prob });
  }
  return out.sort((a, b) => b.prob - a.prob);
}
