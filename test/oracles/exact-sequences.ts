import type { LoadedModel } from '../../src/main/engine/model/load-model';
import { fullPassLogprobs } from './full-pass';

export interface ExactSequence {
  /** generated tokens (EOS included when the sequence ended with it) */
  tokens: number[];
  /** exact log-probability of the generated tokens given the prompt */
  logprob: number;
  /** ended by EOS (true) or by the token limit (false) */
  eos: boolean;
}

/**
 * Every continuation of the prompt up to maxNewTokens, with its exact log-probability, by brute force: each prefix
 * is scored with its own uncached full pass. Complete sequences end in EOS or at the limit; their probabilities
 * sum to 1. Only for tiny vocabularies (vocab^depth sequences).
 */
export async function enumerateSequences(
  model: LoadedModel,
  promptIds: number[],
  maxNewTokens: number,
  eosIds: ReadonlySet<number> = new Set(model.info.eosTokenIds),
): Promise<ExactSequence[]> {
  const out: ExactSequence[] = [];
  const walk = async (generated: number[], logprob: number): Promise<void> => {
    const passes = await fullPassLogprobs(model, [...promptIds, ...generated]);
    const next = passes[passes.length - 1]!;
    for (let token = 0; token < next.length; token++) {
      const lp = logprob + next[token]!;
      const tokens = [...generated, token];
      if (eosIds.has(token)) out.push({ tokens, logprob: lp, eos: true });
      else if (tokens.length === maxNewTokens) out.push({ tokens, logprob: lp, eos: false });
      else await walk(tokens, lp);
    }
  };
  await walk([], 0);
  return out;
}

/** Exact next-token log-probabilities after every prefix (key: prefix joined by ','), for prefixes shorter than depth. */
export async function exactPrefixTable(
  model: LoadedModel,
  promptIds: number[],
  depth: number,
): Promise<Map<string, Float64Array>> {
  const table = new Map<string, Float64Array>();
  const walk = async (generated: number[]): Promise<void> => {
    const passes = await fullPassLogprobs(model, [...promptIds, ...generated]);
    const next = passes[passes.length - 1]!;
    table.set(generated.join(','), next);
    if (generated.length + 1 < depth) for (let t = 0; t < next.length; t++) await walk([...generated, t]);
  };
  await walk([]);
  return table;
}
