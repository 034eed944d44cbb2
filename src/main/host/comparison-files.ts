import { LabRequestError } from '../../shared/lab-api';
import type { ExportFile } from '../../shared/export-format';
import { parseExportFile } from '../../shared/export-validate';
import { buildExportFile, treeFromExport } from '../engine/export/build-export';
import { HostRun } from './host-run';
import type { TreeState } from '../../shared/tree';
import type { RunResult, RunStats } from '../../shared/run';

/** The run id an imported run had in its file: exporting it again keeps that id. */
const idsInFile = new WeakMap<HostRun, string>();

/**
 * One comparison file from finished runs: one prompt, one model, every run with a result. The file
 * names a task example only when every run answered that same question.
 */
export function comparisonFile(runs: HostRun[]): ExportFile {
  for (const run of runs) {
    if (run.running) throw new LabRequestError(`${run.summary.label} is still running; wait for it or cancel it`);
    if (!run.tree || run.tree.order.length === 0) {
      throw new LabRequestError(
        `${run.summary.label} has no nodes to export (${run.summary.error ?? 'it never started'})`,
      );
    }
  }
  const first = runs[0]!;
  if (runs.some((run) => run.summary.prompt !== first.summary.prompt)) {
    throw new LabRequestError('one comparison file holds one prompt: export runs with different prompts separately');
  }
  if (runs.some((run) => run.model.name !== first.model.name)) {
    throw new LabRequestError('one comparison file holds one model: export runs of different models separately');
  }
  const task = runs.every((run) => run.summary.task?.index === first.summary.task?.index)
    ? first.summary.task
    : undefined;
  const used = new Set<string>();
  const fileId = (run: HostRun) => {
    const kept = idsInFile.get(run);
    // two imports of one file would bring the same id twice: the second falls back to its lab id
    const id =
      kept && !used.has(kept) && !runs.some((other) => other.summary.runId === kept && other !== run)
        ? kept
        : run.summary.runId;
    used.add(id);
    return id;
  };
  return buildExportFile(
    first.model,
    first.summary.prompt,
    runs.map((run) => ({
      id: fileId(run),
      label: run.summary.label,
      config: run.summary.config,
      ...resultOf(run),
      tree: run.tree!,
    })),
    task ? { split: 'test', index: task.index, options: task.options, answer: task.answer } : undefined,
  );
}

/**
 * A run's stats and result; a run that failed (its engine crashed) has neither, so its kept nodes are exported
 * with what they alone say: counts by status, no best text, `cancelled`, and the failure as `error`.
 */
function resultOf(run: HostRun): { stats: RunStats; result: RunResult; error?: string } {
  if (run.summary.stats && run.summary.result)
    return {
      stats: run.summary.stats,
      result: run.summary.result,
      ...(run.summary.error ? { error: run.summary.error } : {}),
    };
  const nodes = run.tree!.order.map((id) => run.tree!.nodes[id]!);
  const count = (status: string) => nodes.filter((n) => n.status === status).length;
  return {
    stats: {
      nodesCreated: nodes.length,
      nodesExpanded: count('expanded'),
      nodesPruned: count('pruned'),
      nodesMerged: count('merged'),
      // not recorded for a run that never finished
      forwardPasses: 0,
      tokensEvaluated: 0,
      wallTimeMs: 0,
      peakKvBytes: 0,
      coveredMass: 0,
    },
    result: { bestText: '', bestScore: null, nBest: [], cancelled: true },
    error: `${run.summary.error ?? 'the run failed'} (forward passes, tokens, time and KV were not recorded)`,
  };
}

/**
 * The runs of an imported file, as finished runs with no model behind them (browsable offline), each
 * with the tree it had. The file is validated first; the error names the offending JSON path.
 */
export function runsFromFile(input: unknown, newRunId: () => string): { run: HostRun; tree: TreeState }[] {
  let file: ExportFile;
  try {
    file = parseExportFile(input);
  } catch (err) {
    throw new LabRequestError(`cannot import: ${(err as Error).message}`);
  }
  const task = file.task
    ? { index: file.task.index, prompt: file.prompt, options: file.task.options, answer: file.task.answer }
    : undefined;
  return file.runs.map((exported) => {
    const run = new HostRun(
      {
        runId: newRunId(),
        // `imported` marks it; the label stays the file's, so import → export → import does not stack suffixes
        label: exported.label ?? exported.id,
        prompt: file.prompt,
        config: exported.config,
        state: exported.error ? 'failed' : exported.result.cancelled ? 'cancelled' : 'done',
        ...(exported.error ? { error: exported.error } : {}),
        stats: exported.stats,
        result: exported.result,
        model: file.model.name,
        imported: true,
        ...(task ? { task } : {}),
      },
      null,
      file.model,
    );
    idsInFile.set(run, exported.id);
    return { run, tree: treeFromExport(exported) };
  });
}
