import { lab, type StrategyDraft } from './lab.svelte';
import { RunStore } from './run-store';
import { connectLab } from '../api/connect';
import { configFromFields } from '../form/strategy-fields';
import type { StrategyConfig, StrategyName } from '../../../../shared/strategies';
import { download, fileSafe } from '../export/download';
import { loadUi, restoreDrafts } from '../form/persist';
import { applyModelDefaults, applyTokenBudget, draftFields } from '../form/draft-defaults';
import { exportConflict } from '../analysis/compare-rows';

let draftKey = 0;

function api() {
  if (!lab.api) throw new Error('not connected to the engine');
  return lab.api;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Connects, loads the runs that already exist and opens the default model. */
export async function startLab(): Promise<void> {
  try {
    const connection = await connectLab();
    lab.api = connection.api;
    lab.mode = connection.mode;
    lab.store = new RunStore(connection.api, (runId) => {
      if (runId === undefined) lab.runsVersion++;
      else lab.treeVersions[runId] = (lab.treeVersions[runId] ?? 0) + 1;
    });
    connection.api.on('engineStatus', (status) => {
      lab.engine = status;
      if (status.state === 'crashed') lab.error = `Engine: ${status.message ?? 'stopped'}. Finished runs are kept.`;
    });
    connection.api.on('runFinished', (summary) => {
      if (summary.state === 'failed') lab.error = `${summary.label} failed: ${summary.error ?? 'unknown error'}`;
      if (summary.state !== 'failed' && lab.exportChecked[summary.runId] === undefined)
        lab.exportChecked[summary.runId] = true;
    });
    connection.api.on('menuCommand', ({ command }) => {
      if (command === 'chooseModel') void chooseModelFolder();
      if (command === 'exportJson') void exportComparison();
      if (command === 'import') document.getElementById('import-file')?.click();
      if (command === 'restartEngine') void restartEngine();
    });
    await lab.store.attach();
    lab.connected = true;
    restoreSetup();
    if (lab.drafts.length === 0) addDraft('greedy');
    await openModel(undefined);
  } catch (err) {
    lab.error = messageOf(err);
  }
}

export async function openModel(folder: string | undefined): Promise<void> {
  lab.modelLoading = true;
  lab.modelError = '';
  try {
    const info = await api().request('openModel', folder ? { folder } : {});
    // the whole split: the picker lists every example
    const examples = await api().request('taskExamples', { limit: 10000 });
    // Model and examples appear together, so the screen never shows a model without its task.
    applyModelDefaults(lab.drafts, lab.model, info);
    lab.model = info;
    lab.modelFolder = info.folder;
    lab.examples = examples;
    if (lab.taskIndex !== null && !lab.examples.some((e) => e.index === lab.taskIndex)) lab.taskIndex = null;
    // A first look at a task model starts from one of its questions rather than a blank prompt.
    if (lab.prompt === '' && lab.examples.length > 0) pickExample(lab.examples[0]!.index);
    else if (lab.taskIndex !== null)
      applyBudget(lab.examples.find((e) => e.index === lab.taskIndex)?.tokenBudget ?? null);
  } catch (err) {
    // The folder text stays as typed, so a typo can be fixed rather than retyped.
    lab.modelError = messageOf(err);
  } finally {
    lab.modelLoading = false;
  }
}

export async function chooseModelFolder(): Promise<void> {
  const folder = await api().request('chooseModelFolder', {});
  if (folder) {
    lab.modelFolder = folder;
    await openModel(folder);
  }
}

export function addDraft(strategy: StrategyName): void {
  lab.drafts.push({
    key: ++draftKey,
    strategy,
    label: '',
    fields: draftFields(strategy, lab.model, lab.appliedBudget),
    error: null,
  });
}

export function changeDraftStrategy(draft: StrategyDraft, strategy: StrategyName): void {
  draft.strategy = strategy;
  draft.fields = draftFields(strategy, lab.model, lab.appliedBudget);
  draft.error = null;
}

/** The forms saved before a reload (prompt, strategies as typed, export ticks). */
function restoreSetup(): void {
  const saved = loadUi(localStorage);
  if (!saved) return;
  lab.prompt = saved.prompt;
  lab.taskIndex = saved.taskIndex;
  if (lab.drafts.length === 0)
    for (const d of restoreDrafts(saved)) lab.drafts.push({ key: ++draftKey, ...d, error: null });
  // ticks of runs that no longer exist are dropped
  for (const [runId, ticked] of Object.entries(saved.exportChecked))
    if (lab.store?.runs.has(runId)) lab.exportChecked[runId] = ticked;
}

/** Task examples default to the split's token budget: forms still at the default (or the last budget) take it. */
function applyBudget(budget: number | null): void {
  if (budget === null || budget === lab.appliedBudget) return;
  applyTokenBudget(lab.drafts, lab.appliedBudget, budget);
  lab.appliedBudget = budget;
}

export function removeDraft(key: number): void {
  lab.drafts = lab.drafts.filter((d) => d.key !== key);
}

export function pickExample(index: number | null): void {
  lab.taskIndex = index;
  const example = lab.examples.find((e) => e.index === index);
  if (example) lab.prompt = example.prompt;
  if (example?.tokenBudget !== undefined) applyBudget(example.tokenBudget);
}

/** Starts every strategy in the list on the prompt; nothing starts unless every form is valid. */
export async function startRuns(): Promise<void> {
  // one Enter starts one set of runs: a second press while the first set is being sent does nothing
  if (starting) return;
  starting = true;
  try {
    await startAllRuns();
  } finally {
    starting = false;
  }
}

let starting = false;

async function startAllRuns(): Promise<void> {
  lab.error = '';
  if (lab.prompt.trim() === '') {
    lab.error = 'The prompt is empty: type a prompt or pick a task example.';
    return;
  }
  const configs: { draft: StrategyDraft; config: StrategyConfig }[] = [];
  for (const draft of lab.drafts) {
    const parsed = configFromFields(draft.strategy, draft.fields);
    draft.error = parsed.ok ? null : { field: parsed.field, message: parsed.message };
    if (parsed.ok) configs.push({ draft, config: parsed.config });
  }
  if (configs.length !== lab.drafts.length) {
    lab.error = 'Fix the highlighted strategy settings first.';
    return;
  }
  if (configs.length === 0) {
    lab.error = 'Add a strategy to run.';
    return;
  }
  // Enter again while this very set is still running would only duplicate it
  const running = (lab.store?.list() ?? [])
    .map((e) => e.summary)
    .filter((r) => r.state === 'running' && r.prompt === lab.prompt);
  if (configs.every(({ config }) => running.some((r) => JSON.stringify(r.config) === JSON.stringify(config)))) {
    lab.notice = 'These runs are already running on this prompt (Esc cancels them).';
    return;
  }
  const example = lab.examples.find((e) => e.index === lab.taskIndex);
  const taskIndex = example && example.prompt === lab.prompt ? example.index : undefined;
  for (const { draft, config } of configs) {
    try {
      await api().request('startRun', {
        prompt: lab.prompt,
        config,
        ...(draft.label.trim() ? { label: draft.label.trim() } : {}),
        ...(taskIndex !== undefined ? { taskIndex } : {}),
        ...(draft.intervention ? { intervention: draft.intervention } : {}),
      });
    } catch (err) {
      lab.error = `${draft.label || draft.strategy}: ${messageOf(err)}`;
      return;
    }
  }
}

export async function cancelRun(runId: string): Promise<void> {
  lab.store?.markCancelled(runId);
  try {
    await api().request('cancelRun', { runId });
  } catch (err) {
    lab.error = messageOf(err);
  }
}

export async function cancelAll(): Promise<void> {
  const running = (lab.store?.list() ?? []).filter((e) => e.summary.state === 'running').map((e) => e.summary.runId);
  // every run shows as cancelled at once; the requests follow
  for (const runId of running) lab.store?.markCancelled(runId);
  await Promise.all(running.map((runId) => cancelRun(runId)));
}

export async function removeRun(runId: string): Promise<void> {
  try {
    await api().request('removeRun', { runId });
    lab.store?.remove(runId);
    if (lab.selected?.runId === runId) lab.selected = null;
    delete lab.exportChecked[runId];
  } catch (err) {
    lab.error = messageOf(err);
  }
}

export async function exportComparison(): Promise<void> {
  lab.error = '';
  const ticked = (lab.store?.list() ?? []).map((e) => e.summary).filter((s) => lab.exportChecked[s.runId]);
  const runIds = ticked.map((s) => s.runId);
  if (runIds.length === 0) {
    lab.error = 'Tick at least one finished run in the comparison table to export.';
    return;
  }
  const conflict = exportConflict(ticked);
  if (conflict) {
    lab.error = `Export: ${conflict}`;
    return;
  }
  try {
    const file = await api().request('exportComparison', { runIds });
    download(JSON.stringify(file, null, 1), `lattice-lab-${fileSafe(file.runs.map((r) => r.strategy).join('-'))}.json`);
    lab.notice = `Exported ${runIds.length} run${runIds.length > 1 ? 's' : ''}.`;
  } catch (err) {
    lab.error = `Export: ${messageOf(err)}`;
  }
}

/** A fresh engine process (after repeated crashes the host no longer restarts it by itself); finished runs are kept. */
export async function restartEngine(): Promise<void> {
  try {
    await api().request('restartEngine', {});
    lab.error = '';
    lab.notice = 'The engine was restarted.';
  } catch (err) {
    lab.error = `Restart engine: ${messageOf(err)}`;
  }
}

export async function importComparison(file: File): Promise<void> {
  lab.error = '';
  let json: unknown;
  try {
    // fatal: bytes that are not UTF-8 are refused, not silently turned into U+FFFD (file.text() would)
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer()));
  } catch (err) {
    lab.error = `Import: ${file.name} is not UTF-8 JSON (${messageOf(err)})`;
    return;
  }
  try {
    const { runIds } = await api().request('importComparison', { file: json });
    lab.notice = `Imported ${runIds.length} run${runIds.length === 1 ? '' : 's'} from ${file.name}.`;
  } catch (err) {
    lab.error = messageOf(err); // the service says "cannot import: <path>: <why>"
  }
}
