/**
 * The n-best list of finished beams with Hugging Face's rules: a hypothesis scores
 * sum_logprobs / generated_len ** length_penalty, at most numBeams are kept, and `isDone` decides whether any
 * running beam could still beat the worst kept one (early_stopping true | false | "never").
 */
export class BeamHypotheses {
  private readonly kept: { nodeId: number; score: number }[] = [];
  private worstScore = 1e9;

  constructor(
    private readonly numBeams: number,
    private readonly lengthPenalty: number,
    private readonly earlyStopping: boolean | 'never',
    /** the most tokens a hypothesis may generate */
    private readonly maxNewTokens: number,
  ) {}

  get size(): number {
    return this.kept.length;
  }

  add(nodeId: number, sumLogprobs: number, generatedLength: number): void {
    const score = sumLogprobs / generatedLength ** this.lengthPenalty;
    if (this.kept.length < this.numBeams || score > this.worstScore) {
      this.kept.push({ nodeId, score });
      if (this.kept.length > this.numBeams) {
        const sorted = this.kept.map((h, i) => [h.score, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        this.kept.splice(sorted[0]![1], 1);
        this.worstScore = sorted[1]![0];
      } else {
        this.worstScore = Math.min(score, this.worstScore);
      }
    }
  }

  isDone(bestSumLogprobs: number, generatedLength: number): boolean {
    if (this.kept.length < this.numBeams) return false;
    if (this.earlyStopping === true) return true;
    const length = this.earlyStopping === 'never' && this.lengthPenalty > 0 ? this.maxNewTokens : generatedLength;
    return this.worstScore >= bestSumLogprobs / length ** this.lengthPenalty;
  }

  /** Best first; ties keep the order of arrival. */
  ranked(): { nodeId: number; score: number }[] {
    return this.kept
      .map((h, i) => ({ ...h, i }))
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .map(({ nodeId, score }) => ({ nodeId, score }));
  }
}
