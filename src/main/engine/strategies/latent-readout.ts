import type { LatentReadout } from '../../../shared/tree';
import type { LabTokenizer } from '../model/tokenizer';
import { entropyOf } from '../math/log-softmax';
import { topTokens } from '../search/node-records';

/**
 * What a continuous thought superposes, from the next-token log-probabilities its output gives (the logit lens at
 * the last layer, which is the model's own distribution): the top tokens, how many tokens reach the big-logit
 * threshold and their mass, the entropy. Also returns the big tokens' texts for ground-truth scoring.
 */
export function latentReadout(
  logprobs: ArrayLike<number>,
  mode: LatentReadout['mode'],
  threshold: number,
  topk: number,
  tokenizer: LabTokenizer,
): { readout: LatentReadout; bigTexts: string[] } {
  const logThreshold = Math.log(threshold);
  const big: number[] = [];
  let bigMass = 0;
  for (let t = 0; t < logprobs.length; t++) {
    if (logprobs[t]! >= logThreshold) {
      big.push(t);
      bigMass += Math.exp(logprobs[t]!);
    }
  }
  big.sort((a, b) => logprobs[b]! - logprobs[a]! || a - b);
  return {
    readout: {
      mode,
      topk: topTokens(logprobs, Math.max(topk, 1), tokenizer),
      bigLogits: big.length,
      bigMass,
      bigLogitThreshold: threshold,
      entropy: entropyOf(logprobs),
    },
    bigTexts: big.map((t) => tokenizer.tokenText(t).text),
  };
}
