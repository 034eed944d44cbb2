import type { ModelInfo } from '../../../shared/model';
import type { StrategyConfig } from '../../../shared/strategies';
import type { RunResult, RunStats } from '../../../shared/run';
import type { TreeState } from '../../../shared/tree';
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportFile, type ExportRun } from '../../../shared/export-format';
import { parseExportFile } from '../../../shared/export-validate';

export interface FinishedRun {
  id: string;
  label?: string;
  config: StrategyConfig;
  stats: RunStats;
  result: RunResult;
  tree: TreeState;
  /** the run failed: why (its tree holds the nodes built before) */
  error?: string;
}

export function exportRun(run: FinishedRun): ExportRun {
  return {
    id: run.id,
    ...(run.label ? { label: run.label } : {}),
    strategy: run.config.strategy,
    config: run.config,
    stats: run.stats,
    result: run.result,
    nodes: run.tree.order.map((id) => run.tree.nodes[id]!),
    ...(run.error ? { error: run.error } : {}),
  };
}

/** A comparison file in the versioned format; validated before it leaves, so an export always re-imports. */
export function buildExportFile(
  model: Pick<ModelInfo, 'name' | 'convention' | 'vocabSize' | 'numLayers'>,
  prompt: string,
  runs: FinishedRun[],
  task?: ExportFile['task'],
): ExportFile {
  const file: ExportFile = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    createdAt: new Date().toISOString(),
    model: { name: model.name, convention: model.convention, vocabSize: model.vocabSize, numLayers: model.numLayers },
    prompt,
    ...(task ? { task } : {}),
    runs: runs.map(exportRun),
  };
  return parseExportFile(JSON.parse(JSON.stringify(file)));
}

/** Rebuilds a run's tree from its exported nodes (import, replay). */
export function treeFromExport(run: ExportRun): TreeState {
  const nodes: TreeState['nodes'] = {};
  for (const node of run.nodes) nodes[node.id] = node;
  const root = run.nodes.find((n) => n.parents.length === 0) ?? run.nodes[0]!;
  return { rootId: root.id, nodes, order: run.nodes.map((n) => n.id) };
}
