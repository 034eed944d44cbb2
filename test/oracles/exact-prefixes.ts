import type { LoadedModel } from '../../src/main/engine/model/load-model';
import { logSumExp } from '../../src/main/engine/math/log-softmax';
import { exactPrefixTable } from './exact-sequences';

export interface ExactPrefix {
  /** generated tokens; only the last one may be EOS */
  tokens: number[];
  /** exact log-probability of these tokens given the prompt */
  logprob: number;
}

/**
 * Every generated prefix of length 1..depth with its exact log-probability (uncached full passes through
 * exactPrefixTable). A prefix that ends in EOS is not extended. Only for tiny vocabularies.
 */
export async function exactPrefixes(
  model: LoadedModel,
  promptIds: number[],
  depth: number,
  eosIds: ReadonlySet<number> = new Set(model.info.eosTokenIds),
): Promise<ExactPrefix[]> {
  const table = await exactPrefixTable(model, promptIds, depth);
  const out: ExactPrefix[] = [];
  const walk = (prefix: number[], logprob: number) => {
    const next = table.get(prefix.join(','))!;
    for (let t = 0; t < next.length; t++) {
      const tokens = [...prefix, t];
      const lp = logprob + next[t]!;
      out.push({ tokens, logprob: lp });
      if (!eosIds.has(t) && tokens.length < depth) walk(tokens, lp);
    }
  };
  walk([], 0);
  return out;
}

/** log Σ and max of the exact log-probabilities of the prefixes a predicate selects. */
export function massAndMax(
  prefixes: ExactPrefix[],
  select: (p: ExactPrefix) => boolean,
): { logMass: number; max: number; count: number } {
  const chosen = prefixes.filter(select).map((p) => p.logprob);
  return { logMass: logSumExp(chosen), max: Math.max(...chosen), count: chosen.length };
}
