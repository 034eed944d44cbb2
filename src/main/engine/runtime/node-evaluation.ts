import { logprobsOf, logSoftmaxNorm, type LogitDistribution } from '../math/log-softmax';

/**
 * What one evaluated node tells: its next-token distribution (the logits and their normaliser, so that the few
 * log-probabilities a strategy reads come straight from the logits; `logprobs` writes them all out when asked).
 */
export interface NodeEvaluation extends LogitDistribution {
  nodeId: number;
  /** next-token log-probabilities after this node */
  readonly logprobs: Float64Array;
  /** their entropy in nats */
  entropy: number;
  logits: Float32Array;
  /** final hidden state after the final norm (lab models) */
  lastHidden?: Float32Array;
  /** residual stream after each layer, index 0 = input embedding (when asked for) */
  hiddenStates?: Float32Array[];
}

/** An evaluation whose log-probabilities over the whole vocabulary are written out only if a strategy asks. */
export class RowEvaluation implements NodeEvaluation {
  readonly max: number;
  readonly maxAt: number;
  readonly logSum: number;
  readonly entropy: number;
  lastHidden?: Float32Array;
  hiddenStates?: Float32Array[];
  private all: Float64Array | null = null;

  constructor(
    readonly nodeId: number,
    readonly logits: Float32Array,
  ) {
    const { max, maxAt, logSum, entropy } = logSoftmaxNorm(logits);
    this.max = max;
    this.maxAt = maxAt;
    this.logSum = logSum;
    this.entropy = entropy;
  }

  get logprobs(): Float64Array {
    this.all ??= logprobsOf(this);
    return this.all;
  }
}
