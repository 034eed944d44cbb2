import type { ExportFile, ExportRun } from './export-format';
import type { TopToken, TreeNode } from './tree';
import { StrategyAnalysisSchema } from './analysis';
import { ExportFormatError, formatPath, type JsonPath } from './export-shape';

/**
 * What a schema cannot say about a run: its nodes form one rooted tree (or lattice) whose depths grow by one
 * along every edge, so it is acyclic; every reference points at a node that exists; every number lies where
 * the quantity it names can lie. Values computed in floating point may overshoot a bound by rounding only.
 */
const ROUNDING = 1e-6;

class RunChecker {
  readonly ids = new Map<number, TreeNode>();
  constructor(
    readonly run: ExportRun,
    readonly at: PropertyKey[],
    readonly vocabSize: number,
    readonly numLayers: number,
  ) {}

  fail(message: string, ...path: PropertyKey[]): never {
    throw new ExportFormatError(message, formatPath([...this.at, ...path]));
  }

  logProbability(value: number, ...path: PropertyKey[]): void {
    if (value > ROUNDING) this.fail(`${value} is not a log-probability (must be ≤ 0)`, ...path);
  }

  unit(value: number, ...path: PropertyKey[]): void {
    if (value < -ROUNDING || value > 1 + ROUNDING) this.fail(`${value} is not in [0, 1]`, ...path);
  }

  entropy(value: number, ...path: PropertyKey[]): void {
    if (value < -ROUNDING || value > Math.log(this.vocabSize) + ROUNDING) {
      this.fail(`entropy ${value} is outside [0, ln ${this.vocabSize}] nats`, ...path);
    }
  }

  token(id: number, ...path: PropertyKey[]): void {
    if (id >= this.vocabSize)
      this.fail(`token id ${id} is outside the model's vocabulary of ${this.vocabSize}`, ...path);
  }

  topTokens(list: TopToken[], ...path: PropertyKey[]): void {
    list.forEach((t, k) => {
      this.token(t.tokenId, ...path, k, 'tokenId');
      this.logProbability(t.logprob, ...path, k, 'logprob');
    });
  }

  node(node: TreeNode, i: number): void {
    const at = (...path: PropertyKey[]) => ['nodes', i, ...path];
    if (node.parents.length === 0) {
      if (node.depth !== 0) this.fail('the root must have depth 0', ...at('depth'));
    } else {
      if (new Set(node.parents).size !== node.parents.length) this.fail('a parent is listed twice', ...at('parents'));
      node.parents.forEach((p, j) => {
        const parent = this.ids.get(p);
        if (!parent) this.fail(`unknown parent id ${p}`, ...at('parents', j));
        if (node.depth !== parent.depth + 1) {
          this.fail(
            `depth ${node.depth} must be one more than parent ${p}'s depth ${parent.depth} (a cycle or a broken tree)`,
            ...at('depth'),
          );
        }
      });
    }
    if (node.kind === 'prompt' && node.parents.length > 0) this.fail('only the root is the prompt', ...at('kind'));
    if (node.kind === 'token' && node.tokenId === null) this.fail('a token node needs a token id', ...at('tokenId'));
    if (node.kind !== 'token' && node.tokenId !== null)
      this.fail(`a ${node.kind} node has no token id`, ...at('tokenId'));
    if (node.tokenId !== null) this.token(node.tokenId, ...at('tokenId'));
    this.logProbability(node.logprob, ...at('logprob'));
    this.logProbability(node.score, ...at('score'));
    if (node.forwardLogMass !== undefined) this.logProbability(node.forwardLogMass, ...at('forwardLogMass'));
    if (node.entropy !== undefined) this.entropy(node.entropy, ...at('entropy'));
    if (node.topk) this.topTokens(node.topk, ...at('topk'));
    if (node.latent) {
      this.topTokens(node.latent.topk, ...at('latent', 'topk'));
      this.unit(node.latent.bigMass, ...at('latent', 'bigMass'));
      this.unit(node.latent.bigLogitThreshold, ...at('latent', 'bigLogitThreshold'));
      this.entropy(node.latent.entropy, ...at('latent', 'entropy'));
      if (node.latent.bigLogits > this.vocabSize)
        this.fail(`more big logits than tokens`, ...at('latent', 'bigLogits'));
      if (node.latent.frontierRecall !== undefined)
        this.unit(node.latent.frontierRecall, ...at('latent', 'frontierRecall'));
    }
    node.lens?.forEach((layer, l) => {
      if (layer.layer > this.numLayers)
        this.fail(`layer ${layer.layer} beyond the model's ${this.numLayers} layers`, ...at('lens', l, 'layer'));
      this.topTokens(layer.topk, ...at('lens', l, 'topk'));
      this.entropy(layer.entropy, ...at('lens', l, 'entropy'));
    });
    if (node.state !== undefined && this.run.config.strategy === 'hmm' && node.state >= this.run.config.states) {
      this.fail(`state ${node.state} but the run has ${this.run.config.states} states`, ...at('state'));
    }
  }

  check(): void {
    const { run } = this;
    if (run.strategy !== run.config.strategy)
      this.fail(`"${run.strategy}" but config.strategy is "${run.config.strategy}"`, 'strategy');
    const roots = run.nodes.filter((n) => n.parents.length === 0);
    if (roots.length !== 1)
      this.fail(`a run has exactly one root (a node without parents); found ${roots.length}`, 'nodes');
    run.nodes.forEach((node, i) => {
      if (this.ids.has(node.id)) this.fail(`duplicate node id ${node.id}`, 'nodes', i, 'id');
      this.ids.set(node.id, node);
    });
    run.nodes.forEach((node, i) => this.node(node, i));
    run.nodes.forEach((node, i) => {
      if (node.mergedInto === undefined) {
        if (node.status === 'merged')
          this.fail('a merged node must say which state absorbed it (mergedInto)', 'nodes', i, 'status');
        return;
      }
      if (node.mergedInto === node.id || !this.ids.has(node.mergedInto))
        this.fail(`mergedInto ${node.mergedInto} is not another node of this run`, 'nodes', i, 'mergedInto');
    });
    this.unit(run.stats.coveredMass, 'stats', 'coveredMass');
    run.result.nBest.forEach((h, k) => {
      if (!this.ids.has(h.nodeId)) this.fail(`node ${h.nodeId} is not in this run`, 'result', 'nBest', k, 'nodeId');
      h.tokenIds.forEach((t, j) => this.token(t, 'result', 'nBest', k, 'tokenIds', j));
      this.logProbability(h.logprob, 'result', 'nBest', k, 'logprob');
    });
    const analysis = run.result.analysis;
    if (
      analysis &&
      typeof analysis.kind === 'string' &&
      StrategyAnalysisSchema.options.some((o) => o.shape.kind.value === analysis.kind)
    ) {
      const parsed = StrategyAnalysisSchema.safeParse(analysis);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        this.fail(issue.message, 'result', 'analysis', ...issue.path);
      }
    }
  }
}

export function checkStructure(file: ExportFile): void {
  const runIds = new Set<string>();
  file.runs.forEach((run, r) => {
    if (runIds.has(run.id))
      throw new ExportFormatError(`duplicate run id "${run.id}"`, formatPath(['runs', r, 'id'] as JsonPath));
    runIds.add(run.id);
    new RunChecker(run, ['runs', r], file.model.vocabSize, file.model.numLayers).check();
  });
}
