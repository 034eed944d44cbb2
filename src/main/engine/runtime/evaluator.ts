import type { LoadedModel } from '../model/load-model';
import { kvBytes, type KvTensors } from '../model/kv-tensors';
import type { ForwardRequest, ForwardResult } from '../model/decoder-session';
import { KvCache } from './kv-cache';
import { RunLimitError } from '../search/run-limits';
import type { DecoderPass } from './forward-batcher';
import { EventLoopTurns } from './event-loop-turns';
import { RowEvaluation, type NodeEvaluation } from './node-evaluation';

export type { NodeEvaluation } from './node-evaluation';

/** What a node feeds the model: token ids, or (lab models) raw input embeddings such as continuous thoughts. */
export type NodeInput = { tokens: number[] } | { embeddings: Float32Array[] };

/** How the evaluator learns a node's context; the search owns the tree, the evaluator only asks. */
export interface Lineage {
  parentOf(nodeId: number): number | null;
  inputOf(nodeId: number): NodeInput;
}

export interface EvaluatorOptions {
  kvBudgetBytes?: number;
  /** where forward passes go: the model's own session unless several searches share a batcher */
  decoder?: DecoderPass;
  /** [layers * hidden] steering vector added after each layer (lab models) */
  residualDelta?: Float32Array;
  /** [layers * hidden] unit rows: the stream's component along each is removed after that layer (lab models) */
  residualAblate?: Float32Array;
  /** nodes evaluated without the intervention (a fork's shared prefix: always ancestors of the others) */
  plain?: (nodeId: number) => boolean;
  /**
   * Called before every forward pass; throwing stops the evaluation there. A step can take several passes
   * (recomputed ancestors, equal-length groups, parts under the KV budget): a search's cancel checkpoint goes
   * here so that Cancel takes effect within one forward pass, not one step.
   */
  beforeForward?: () => void;
}

export interface EvaluatorStats {
  forwardPasses: number;
  tokensEvaluated: number;
  recomputedPasses: number;
}

function inputLength(input: NodeInput): number {
  return 'tokens' in input ? input.tokens.length : input.embeddings.length;
}

export const DEFAULT_KV_BUDGET_BYTES = 512 * 1024 * 1024;
/** the most memory one step's next-token distributions may take (a frontier × the vocabulary) */
export const MAX_STEP_RESULT_BYTES = 1024 * 1024 * 1024;

export interface EvaluateOptions {
  hiddenStates?: boolean;
  /**
   * Nodes not extended after this call (e.g. the previous step's beams): when the parents' cache block holds only
   * such nodes, it is reordered in place into the batch instead of copied.
   */
  reusable?: ReadonlySet<number>;
}

const NO_OPTIONS: EvaluateOptions = Object.freeze({});

/**
 * What a strategy needs from a model: the next-token distribution after given tree nodes, and a way to say which
 * nodes it will not extend again. The model's Evaluator implements it; tests can implement it with literal
 * logit tables, so that strategies are checked in milliseconds without a graph.
 */
export interface NodeEvaluator {
  evaluate(nodeIds: number[], options?: EvaluateOptions): Promise<NodeEvaluation[]>;
  release(nodeIds: Iterable<number>): void;
  readonly stats: EvaluatorStats;
  readonly cache: { readonly peakBytes: number; clear(): void };
}

/**
 * Evaluates tree nodes with the model: equal-length nodes in one batched forward pass, each from its parent's
 * cached prefix. A prefix evaluated once is never recomputed while its cache is held.
 */
export class Evaluator implements NodeEvaluator {
  readonly cache: KvCache;
  readonly stats: EvaluatorStats = { forwardPasses: 0, tokensEvaluated: 0, recomputedPasses: 0 };
  private readonly positions = new Map<number, number>();
  private readonly decoder: DecoderPass;
  /** the previous call's results: a strategy that hands a node to the next phase asks for it again */
  private recent = new Map<number, NodeEvaluation>();
  /** what evaluateChild must not evict, reused from call to call */
  private readonly childKeep = new Set<number>();

  constructor(
    readonly model: LoadedModel,
    private readonly lineage: Lineage,
    private readonly options: EvaluatorOptions = {},
  ) {
    this.cache = new KvCache(model.decoder.kvShape, options.kvBudgetBytes ?? DEFAULT_KV_BUDGET_BYTES);
    this.decoder = options.decoder ?? model.decoder;
  }

  /** Drops caches the search will not extend again (e.g. parents of an evaluated frontier). */
  release(nodeIds: Iterable<number>): void {
    for (const id of nodeIds) this.cache.release(id);
  }

  /** Sequence length up to and including this node. */
  lengthOf(nodeId: number): number {
    let known = this.positions.get(nodeId);
    if (known === undefined) {
      const parent = this.lineage.parentOf(nodeId);
      known = (parent === null ? 0 : this.lengthOf(parent)) + inputLength(this.lineage.inputOf(nodeId));
      this.positions.set(nodeId, known);
    }
    return known;
  }

  async evaluate(nodeIds: number[], options: EvaluateOptions = NO_OPTIONS): Promise<NodeEvaluation[]> {
    // each evaluated node holds its logits (float32), and its log-probabilities (float64) once a strategy asks
    const resultBytes = nodeIds.length * this.model.info.vocabSize * 12;
    if (resultBytes > MAX_STEP_RESULT_BYTES) {
      throw new RunLimitError(
        `one step would evaluate ${nodeIds.length.toLocaleString('en-US')} hypotheses, whose next-token distributions need ` +
          `${(resultBytes / 2 ** 30).toFixed(1)} GiB (limit ${MAX_STEP_RESULT_BYTES / 2 ** 30} GiB): lower the width, n or top-k`,
      );
    }
    if (nodeIds.length === 1 && !this.recentEvaluation(nodeIds[0]!, options)) {
      // one node (greedy, a chain of thoughts): no grouping
      const id = nodeIds[0]!;
      const parent = this.lineage.parentOf(id);
      const evaluation =
        parent !== null && this.cache.has(parent)
          ? await this.evaluateChild(id, parent, options.hiddenStates ?? false)
          : await this.evaluateAlone(id, options);
      this.recent.clear();
      this.recent.set(id, evaluation);
      return [evaluation];
    }
    const results = new Map<number, NodeEvaluation>();
    for (const id of nodeIds) {
      const known = this.recentEvaluation(id, options);
      if (known) results.set(id, known);
    }
    const groups = new Map<string, number[]>();
    for (const id of nodeIds) {
      if (results.has(id)) continue;
      const parent = this.lineage.parentOf(id);
      const key = `${parent === null ? 0 : this.lengthOf(parent)}:${inputLength(this.lineage.inputOf(id))}`;
      const group = groups.get(key);
      if (group) group.push(id);
      else groups.set(key, [id]);
    }
    const keep = this.keepFor(nodeIds);
    // a block reordered in place serves one batch: with several groups, parents are gathered by copy
    const groupOptions = groups.size === 1 ? options : { hiddenStates: options.hiddenStates };
    for (const group of groups.values()) {
      for (const evaluation of await this.evaluateGroup(group, keep, groupOptions)) {
        results.set(evaluation.nodeId, evaluation);
      }
      this.cache.evict(keep);
    }
    this.recent = results;
    return nodeIds.map((id) => results.get(id)!);
  }

  /** The previous call's evaluation of a node, when it has what this call asks for. */
  private recentEvaluation(id: number, options: EvaluateOptions): NodeEvaluation | undefined {
    const known = this.recent.get(id);
    return known && (known.hiddenStates || !options.hiddenStates) ? known : undefined;
  }

  /**
   * The step of a chain (greedy, a chain of thoughts): one node whose parent's cache is held, evaluated as
   * evaluateChunk would evaluate it, without a batch's bookkeeping.
   */
  private async evaluateChild(id: number, parent: number, wantHidden: boolean): Promise<NodeEvaluation> {
    const input = this.lineage.inputOf(id);
    const out = await this.forward([input], this.cache.gatherOne(parent), wantHidden, this.isPlain(id));
    const keep = this.childKeep;
    keep.clear();
    keep.add(id).add(parent);
    this.cache.storeWithin([id], out.present, keep);
    this.cache.evict(keep);
    return this.rowOf(id, 0, 1, inputLength(input), out);
  }

  /** One node whose parent's cache is not held (the prompt, or a parent evicted or recomputed on the way). */
  private async evaluateAlone(id: number, options: EvaluateOptions): Promise<NodeEvaluation> {
    const keep = this.keepFor([id]);
    const [evaluation] = await this.evaluateChunk([id], keep, options);
    this.cache.evict(keep);
    return evaluation!;
  }

  /** The caches a step must not evict: its nodes' and their parents'. */
  private keepFor(nodeIds: number[]): Set<number> {
    const keep = new Set<number>(nodeIds);
    for (const id of nodeIds) {
      const parent = this.lineage.parentOf(id);
      if (parent !== null) keep.add(parent);
    }
    return keep;
  }

  /**
   * Equal-length nodes in batches whose new caches fit in half the KV budget (a frontier wider than the budget
   * is evaluated in parts; the caches that do not fit are not kept and are recomputed when needed).
   */
  private async evaluateGroup(ids: number[], keep: Set<number>, options: EvaluateOptions): Promise<NodeEvaluation[]> {
    if (ids.length === 1) return this.evaluateChunk(ids, keep, options);
    const rowBytes = kvBytes(this.model.decoder.kvShape, 1, this.lengthOf(ids[0]!));
    const rows = Math.max(1, Math.floor(this.cache.budgetBytes / 2 / rowBytes));
    if (ids.length <= rows) return this.evaluateChunk(ids, keep, options);
    const out: NodeEvaluation[] = [];
    const partOptions = { hiddenStates: options.hiddenStates };
    for (let at = 0; at < ids.length; at += rows)
      out.push(...(await this.evaluateChunk(ids.slice(at, at + rows), keep, partOptions)));
    return out;
  }

  private async evaluateChunk(
    requested: number[],
    keep: Set<number>,
    { hiddenStates: wantHidden = false, reusable }: EvaluateOptions,
  ): Promise<NodeEvaluation[]> {
    let ids = requested;
    const parents = ids.map((id) => this.lineage.parentOf(id));
    const missing: number[] = [];
    for (const p of parents) if (p !== null && !this.cache.has(p) && !missing.includes(p)) missing.push(p);
    let inputs: NodeInput[];
    let out: ForwardResult;
    /** the batch row of each requested node (the request's order unless a reused block placed them) */
    let rowOfRequested: number[] | null = null;
    if (missing.length > 0 && !this.options.plain) {
      // parents' caches are gone (evicted, or a frontier wider than the budget): recompute every row from the start
      // in this one batched pass (rows are equally long); nothing is stored beyond the budget on the way
      inputs = ids.map((id) => this.concatInputs(this.chainFromRoot(id).map((n) => this.lineage.inputOf(n))));
      out = await this.forward(inputs, null, wantHidden);
      this.stats.recomputedPasses++;
    } else {
      for (const parent of missing) await this.ensureCached(parent, keep);
      let past: KvTensors | null = null;
      if (parents[0] !== null) {
        const reused = reusable && this.cache.reuseBlock(parents as number[], reusable);
        if (reused) {
          past = reused.past;
          rowOfRequested = reused.rows;
          ids = new Array<number>(ids.length);
          reused.rows.forEach((row, i) => (ids[row] = requested[i]!));
        } else {
          past = this.cache.gather(parents as number[]);
        }
      }
      inputs = ids.map((id) => this.lineage.inputOf(id));
      out = await this.forward(inputs, past, wantHidden, this.isPlain(ids[0]!));
    }
    this.cache.storeWithin(ids, out.present, keep);
    return requested.map((nodeId, i) => {
      const row = rowOfRequested ? rowOfRequested[i]! : i;
      return this.rowOf(nodeId, row, ids.length, inputLength(inputs[row]!), out);
    });
  }

  private chainFromRoot(nodeId: number): number[] {
    const chain: number[] = [];
    for (let id: number | null = nodeId; id !== null; id = this.lineage.parentOf(id)) chain.push(id);
    return chain.reverse();
  }

  /** Recomputes a node's cache from its nearest cached ancestor, in one pass over the missing positions. */
  private async ensureCached(nodeId: number, keep: Set<number>): Promise<void> {
    if (this.cache.has(nodeId)) return;
    const chain: number[] = [];
    let anchor: number | null = nodeId;
    while (anchor !== null && !this.cache.has(anchor)) {
      chain.unshift(anchor);
      anchor = this.lineage.parentOf(anchor);
    }
    // plain nodes come first on any path; a chain that crosses into the intervention takes one pass per side
    const plainCount = chain.filter((id) => this.isPlain(id)).length;
    if (plainCount > 0 && plainCount < chain.length) {
      await this.ensureCached(chain[plainCount - 1]!, keep);
      return this.ensureCached(nodeId, keep);
    }
    const merged = this.concatInputs(chain.map((id) => this.lineage.inputOf(id)));
    const past = anchor === null ? null : this.cache.gatherOne(anchor);
    const out = await this.forward([merged], past, false, plainCount > 0);
    this.stats.recomputedPasses++;
    this.cache.store([nodeId], out.present);
    keep.add(nodeId);
  }

  private isPlain(nodeId: number): boolean {
    return this.options.plain?.(nodeId) ?? false;
  }

  private concatInputs(inputs: NodeInput[]): NodeInput {
    if (inputs.every((i) => 'tokens' in i))
      return { tokens: inputs.flatMap((i) => (i as { tokens: number[] }).tokens) };
    return { embeddings: inputs.flatMap((i) => this.embeddingsOf(i)) };
  }

  private embeddingsOf(input: NodeInput): Float32Array[] {
    if ('embeddings' in input) return input.embeddings;
    return input.tokens.map((t) => this.tokenEmbedding(t));
  }

  private tokenEmbedding(tokenId: number): Float32Array {
    const { embeddings, info } = this.model;
    if (!embeddings || !info.hiddenSize) throw new Error('this model has no readable embedding matrix');
    return embeddings.subarray(tokenId * info.hiddenSize, (tokenId + 1) * info.hiddenSize);
  }

  private readonly turns = new EventLoopTurns();

  private forward(inputs: NodeInput[], past: KvTensors | null, wantHidden: boolean, plain = false) {
    const turn = this.turns.beforePass();
    return turn
      ? turn.then(() => this.pass(inputs, past, wantHidden, plain))
      : this.pass(inputs, past, wantHidden, plain);
  }

  /** One forward pass (not an async function: a chain step awaits one promise fewer). */
  private pass(
    inputs: NodeInput[],
    past: KvTensors | null,
    wantHidden: boolean,
    plain: boolean,
  ): Promise<ForwardResult> {
    const batch = inputs.length;
    const seq = inputLength(inputs[0]!);
    const request: ForwardRequest = {
      batch,
      seq,
      past,
      residualDelta: plain ? undefined : this.options.residualDelta,
      residualAblate: plain ? undefined : this.options.residualAblate,
      wantHiddenStates: wantHidden,
    };
    this.options.beforeForward?.();
    this.stats.forwardPasses++;
    this.stats.tokensEvaluated += batch * seq;
    if (this.model.info.convention === 'lab') {
      const hidden = this.model.info.hiddenSize!;
      const embeds = new Float32Array(batch * seq * hidden);
      for (let b = 0; b < batch; b++) {
        const input = inputs[b]!;
        for (let s = 0; s < seq; s++) {
          const at = (b * seq + s) * hidden;
          if ('tokens' in input) embeds.set(this.tokenEmbedding(input.tokens[s]!), at);
          else embeds.set(input.embeddings[s]!, at);
        }
      }
      request.inputsEmbeds = embeds;
      return this.decoder.forward(request);
    }
    if (inputs.some((i) => !('tokens' in i))) {
      throw new Error('this model takes token ids only: continuous inputs need a lab-convention model (inputs_embeds)');
    }
    request.inputIds = inputs.flatMap((i) => (i as { tokens: number[] }).tokens);
    return this.decoder.forward(request);
  }

  private rowOf(nodeId: number, row: number, batch: number, seq: number, out: ForwardResult): NodeEvaluation {
    const vocab = out.logits.length / (batch * seq);
    const at = (row * seq + seq - 1) * vocab;
    // a view: the batch's logits stay alive only as long as its evaluations
    const logits = out.logits.subarray(at, at + vocab);
    const evaluation = new RowEvaluation(nodeId, logits);
    const hidden = this.model.info.hiddenSize;
    if (out.lastHidden && hidden) {
      const h = (row * seq + seq - 1) * hidden;
      // a view, as the logits: the pass's buffer lives as long as an evaluation that reads it
      evaluation.lastHidden = out.lastHidden.subarray(h, h + hidden);
    }
    if (out.hiddenStates && hidden) {
      const layers = out.hiddenStates.length / (batch * seq * hidden);
      evaluation.hiddenStates = Array.from({ length: layers }, (_, l) => {
        const h = ((l * batch + row) * seq + seq - 1) * hidden;
        return out.hiddenStates!.slice(h, h + hidden);
      });
    }
    return evaluation;
  }
}
