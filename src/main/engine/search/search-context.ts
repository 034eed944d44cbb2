import type { LoadedModel } from '../model/load-model';
import type { TreeStore } from '../tree/tree-store';
import type { Lineage, NodeEvaluator } from '../runtime/evaluator';
import { lineageOfTree } from '../lens/logit-lens';
import type { ConfigOf, StrategyName } from '../../../shared/strategies';
import type { TaskContext } from './task-context';

export class SearchCancelled extends Error {
  constructor() {
    super('the run was cancelled');
    this.name = 'SearchCancelled';
  }
}

/** Everything a strategy works with: one tree, one evaluator, the prompt, and the run's controls. */
export interface SearchContext {
  model: LoadedModel;
  tree: TreeStore;
  evaluator: NodeEvaluator;
  promptIds: number[];
  rootId: number;
  eosIds: ReadonlySet<number>;
  signal: AbortSignal;
  /** the bundled task's ground truth when the prompt is one of its examples */
  task?: TaskContext;
  /** the node cap: strategies check a step against it before creating its nodes (checkNodeCap) */
  maxNodes: number;
  progress(fraction: number, message: string): void;
  /** throws SearchCancelled when the run was cancelled; strategies call it between steps */
  checkpoint(): void;
  /** continuous-thought nodes feed an embedding rather than a token */
  setThoughtInput(nodeId: number, embedding: Float32Array): void;
}

/** Which finished hypotheses a strategy found, best first by its own ranking score. */
export interface StrategyOutcome {
  ranked: { nodeId: number; score: number }[];
  analysis?: Record<string, unknown>;
}

export type Strategy<S extends StrategyName> = (ctx: SearchContext, config: ConfigOf<S>) => Promise<StrategyOutcome>;

/** The evaluator's view of a live run: the store's tree, read as it grows. */
export function treeLineage(tree: TreeStore, promptIds: number[], thoughtInputs: Map<number, Float32Array>): Lineage {
  return lineageOfTree(tree.state, promptIds, thoughtInputs);
}
