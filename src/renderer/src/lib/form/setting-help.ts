import type { StrategyName } from '../../../../shared/strategies';

/** One line per setting, shown as its tooltip: what it does, in the strategy's own terms. */
const shared: Record<string, string> = {
  maxNewTokens:
    'The most tokens a hypothesis may add after the prompt; a text cut here is flagged "stopped at token limit".',
  topkShown:
    'Runner-up tokens recorded at each evaluated node (drawn as pruned alternatives, listed in the inspector).',
};

const help: Record<StrategyName, Record<string, string>> = {
  greedy: {},
  sampling: {
    n: 'Rollouts drawn; rollouts that share a prefix share nodes. The table votes over their answers (majority, pass@k).',
    seed: 'Seed of the random generator: the same seed gives the same rollouts.',
    temperature: 'Divides the logits before sampling: below 1 sharpens, above 1 flattens.',
    topK: 'Sample only among the k most likely tokens (0: off).',
    topP: 'Nucleus: sample among the smallest set of tokens whose probability reaches p (1: off).',
    minP: 'Drop tokens whose probability is below min-p × the top probability (0: off).',
    typicalP: 'Typical sampling: keep tokens whose surprise is closest to the entropy, up to mass p (1: off).',
    repetitionPenalty: 'Divides the logits of tokens already in the text (CTRL / Hugging Face; 1: off).',
  },
  beam: {
    numBeams: 'Beam width B: 2B candidates are scored per step, B kept; the rest stay in the tree as pruned.',
    lengthPenalty:
      'A finished hypothesis scores log-prob / length^penalty (Hugging Face): above 0 favours longer texts.',
    earlyStopping:
      'true: stop once B hypotheses are finished; false: stop when no open beam can still win; never: run to the limit.',
    numReturn: 'Finished hypotheses returned (the n-best list).',
  },
  bfs: {
    topK: 'Children per node: its top-k tokens…',
    topP: '…within this cumulative probability.',
    width: 'Frontier cap: the W best lattice states (by score) are expanded at each depth.',
    merge: 'Hypotheses with the same key become one lattice state (Viterbi score, summed forward mass).',
    'merge.n': 'Merge hypotheses whose last n tokens are equal.',
    'merge.tau': 'Merge hypotheses whose final hidden states have cosine similarity ≥ τ.',
  },
  latent: {
    mode: 'hidden: feed the last hidden state back (Coconut; models trained for it). mixture: feed the probability-weighted mix of token embeddings (soft thinking).',
    thoughts: 'Continuous thoughts before the answer is decoded in language.',
    topK: 'Mixture mode: mix only the top-k tokens (0: all).',
    topP: 'Mixture mode: mix only tokens within this cumulative probability.',
    bigLogitThreshold: 'A token counts as a "big logit" of a thought when its probability reaches this.',
    answer: 'How the answer is decoded after the thoughts.',
    'answer.numBeams': 'Beam width for the answer.',
    'answer.lengthPenalty': 'Length penalty for the answer beam.',
  },
  hmm: {
    topK: 'Children per node: its top-k tokens…',
    topP: '…within this cumulative probability.',
    width: 'Frontier cap per depth.',
    states: 'K: the hypotheses of each depth are clustered into at most K latent states by their final hidden states.',
    seed: 'Seed of the clustering (k-means initialisation).',
  },
  adaptive: {
    topK: 'Where the model is unsure: children per node, its top-k tokens…',
    topP: '…within this cumulative probability. Elsewhere only the argmax child.',
    width: 'Frontier cap: the W best hypotheses (by score) are expanded at each depth.',
    entropy:
      'Branch where the next-token entropy (nats) reaches this (null: ignore entropy; 0: always). Default: entropix, 0.1 bit.',
    varentropy:
      'Branch where the varentropy (nats²) reaches this (null: ignore; 0: always). Default: entropix, 0.1 bit².',
    combine: 'or: branch when either measure reaches its threshold; and: only when both do.',
    merge: 'Hypotheses with the same key become one lattice state (as in BFS).',
    'merge.n': 'Merge hypotheses whose last n tokens are equal.',
    'merge.tau': 'Merge hypotheses whose final hidden states have cosine similarity ≥ τ.',
  },
};

export function settingHelp(strategy: StrategyName, key: string): string {
  return help[strategy][key] ?? shared[key] ?? '';
}
