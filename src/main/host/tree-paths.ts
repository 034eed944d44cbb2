import type { TreeState } from '../../shared/tree';

/** Node ids from the root down to a node along first parents: the one walk the renderer uses too. */
export { pathTo as pathIds } from '../../shared/tree-sync';

/** Texts shaped like special tokens (`<eos>`, `</s>`, `<|endoftext|>`, `[SEP]`), which decoding skips. */
const SPECIAL_TOKEN = /^(<[^<>\s]+>|\[[A-Z]+\])$/;

/**
 * A path's continuation text without a tokenizer (an imported run): token texts joined the way
 * whole-word vocabularies print them, or glued when the tokens carry their own spaces (BPE); special
 * tokens are recognised by their shape, since an export does not list them.
 */
export function pathTextOffline(tree: TreeState, ids: number[]): string {
  const texts = ids
    .map((id) => tree.nodes[id]!)
    .filter((n) => n.kind === 'token' && !SPECIAL_TOKEN.test(n.text))
    .map((n) => n.text);
  const carriesSpaces = texts.some((t) => /^\s/.test(t));
  return (carriesSpaces ? texts.join('') : texts.join(' ')).trim();
}
