import type { LabApi, LabEvents, TaskExample } from '../../../../shared/lab-api';
import type { ModelInfo } from '../../../../shared/model';
import type { StrategyName } from '../../../../shared/strategies';
import type { StrategyField } from '../form/strategy-fields';
import type { RunStore } from './run-store';
import type { EvalScore } from '../../../../shared/eval';
import type { InterventionInput } from '../../../../shared/intervention';

export interface StrategyDraft {
  key: number;
  strategy: StrategyName;
  label: string;
  fields: StrategyField[];
  /** the field that is wrong and why, after a refused start */
  error: { field: string; message: string } | null;
  /** steering or ablation for this run (a file of the model's directions/ folder) */
  intervention?: InterventionInput | null;
}

export interface EvalState {
  evalId: string | null;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  /** where the scores came from: the app's run, or a file's name */
  source: string;
  model: string;
  done: number;
  total: number;
  message: string;
  scores: EvalScore[];
  error?: string;
}

export interface Selection {
  runId: string;
  nodeId: number;
}

/**
 * The UI's reactive state (Svelte 5 runes). Trees themselves are not reactive (10,000 proxied nodes
 * would cost more than they help): views redraw when their run's counter in `treeVersions` moves.
 */
class LabState {
  mode = $state<'electron' | 'serve'>('serve');
  connected = $state(false);
  model = $state<ModelInfo | null>(null);
  modelFolder = $state('');
  modelError = $state('');
  modelLoading = $state(false);
  examples = $state<TaskExample[]>([]);
  prompt = $state('');
  taskIndex = $state<number | null>(null);
  drafts = $state<StrategyDraft[]>([]);
  /** the last error that belongs to no single field (start refused, export, import) */
  error = $state('');
  notice = $state('');
  engine = $state<LabEvents['engineStatus']>({ state: 'ready' });
  selected = $state<Selection | null>(null);
  /** token path key hovered in some view; every view sharing the path highlights it */
  hoverKey = $state<string | null>(null);
  runsVersion = $state(0);
  treeVersions = $state<Record<string, number>>({});
  /** per run: how many nodes the replay shows (null: the whole tree) */
  replay = $state<Record<string, number | null>>({});
  /** runs ticked for export */
  exportChecked = $state<Record<string, boolean>>({});
  /** hypotheses lit in one run's tree from an analysis view (an HMM state hovered) */
  lit = $state<{ runId: string; nodeIds: number[] } | null>(null);
  /** the evaluation over task examples (the app's, or a `lab eval --json` file opened) */
  evaluation = $state<EvalState | null>(null);
  /** the token budget last applied to the forms from a task example (so a later pick can replace it) */
  appliedBudget = $state<number | null>(null);
  api: LabApi | null = null;
  store: RunStore | null = null;
}

export const lab = new LabState();
