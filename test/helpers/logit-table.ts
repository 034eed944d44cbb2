import type { LoadedModel } from '../../src/main/engine/model/load-model';
import { LabTokenizer } from '../../src/main/engine/model/tokenizer';
import { logSoftmaxWithEntropy } from '../../src/main/engine/math/log-softmax';
import type { NodeEvaluation, NodeEvaluator } from '../../src/main/engine/runtime/evaluator';
import { SearchCancelled, type SearchContext } from '../../src/main/engine/search/search-context';
import { TreeStore } from '../../src/main/engine/tree/tree-store';

/** Next-token probabilities after a sequence of generated token ids (the prompt is implicit). */
export type ProbabilityTable = (generated: number[]) => number[];

/** A whole-word tokenizer over these words (id = index). */
function wordTokenizer(vocab: string[]): LabTokenizer {
  return new LabTokenizer({
    version: '1.0',
    added_tokens: [
      { id: 0, content: vocab[0], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
    ],
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: false },
    model: {
      type: 'WordPiece',
      unk_token: vocab[0],
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((w, i) => [w, i])),
    },
  });
}

/**
 * An evaluator that reads next-token distributions from a literal table instead of a model: strategies run on it
 * in milliseconds, with probabilities chosen by hand (the way Hugging Face tests its logits processors).
 */
export class TableEvaluator implements NodeEvaluator {
  readonly stats = { forwardPasses: 0, tokensEvaluated: 0, recomputedPasses: 0 };
  readonly cache = { peakBytes: 0, clear: () => {} };
  readonly released = new Set<number>();

  constructor(
    private readonly tree: TreeStore,
    private readonly table: ProbabilityTable,
  ) {}

  async evaluate(nodeIds: number[]): Promise<NodeEvaluation[]> {
    this.stats.forwardPasses++;
    this.stats.tokensEvaluated += nodeIds.length;
    return nodeIds.map((nodeId) => {
      const logits = Float32Array.from(this.table(this.tree.pathTokens(nodeId)), (p) => Math.log(p));
      return { nodeId, logits, ...logSoftmaxWithEntropy(logits) };
    });
  }

  release(nodeIds: Iterable<number>): void {
    for (const id of nodeIds) this.released.add(id);
  }
}

/** A search context over a probability table: a prompt root, a word vocabulary whose word 0 is EOS. */
export function tableContext(vocab: string[], table: ProbabilityTable, options: { maxNodes?: number } = {}) {
  const tree = new TreeStore({
    kind: 'prompt',
    tokenId: null,
    text: 'prompt',
    logprob: 0,
    score: 0,
    status: 'frontier',
  });
  const evaluator = new TableEvaluator(tree, table);
  const tokenizer = wordTokenizer(vocab);
  const model = {
    tokenizer,
    info: { name: 'table', vocabSize: vocab.length, eosTokenIds: [0] },
  } as unknown as LoadedModel;
  const ctx: SearchContext = {
    model,
    tree,
    evaluator,
    promptIds: [],
    rootId: 0,
    eosIds: new Set([0]),
    signal: new AbortController().signal,
    maxNodes: options.maxNodes ?? 100_000,
    progress: () => {},
    checkpoint: () => {
      if (ctx.signal.aborted) throw new SearchCancelled();
    },
    setThoughtInput: () => {},
  };
  return { ctx, evaluator };
}
