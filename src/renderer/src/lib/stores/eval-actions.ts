import { lab } from './lab.svelte';
import { configFromFields } from '../form/strategy-fields';
import { EvalFileSchema } from '../../../../shared/eval';
import type { StrategyConfig } from '../../../../shared/strategies';

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

let listening = false;

/** Follows the engine's evaluation events (once per page). */
function listen(): void {
  if (listening || !lab.api) return;
  listening = true;
  lab.api.on('evalProgress', (p) => {
    if (lab.evaluation?.evalId !== p.evalId) return;
    lab.evaluation.done = p.done;
    lab.evaluation.total = p.total;
    lab.evaluation.message = p.message;
  });
  lab.api.on('evalFinished', (f) => {
    if (lab.evaluation?.evalId !== f.evalId) return;
    lab.evaluation.state = f.state;
    lab.evaluation.scores = f.scores;
    if (f.error) lab.evaluation.error = f.error;
  });
}

/** Runs every strategy in the list over the first `limit` task examples of the open model. */
export async function startEvaluation(limit: number): Promise<void> {
  if (!lab.api || lab.evaluation?.state === 'running') return;
  listen();
  const configs: StrategyConfig[] = [];
  for (const draft of lab.drafts) {
    const parsed = configFromFields(draft.strategy, draft.fields);
    draft.error = parsed.ok ? null : { field: parsed.field, message: parsed.message };
    if (!parsed.ok) {
      lab.error = 'Fix the highlighted strategy settings first.';
      return;
    }
    configs.push(parsed.config);
  }
  if (configs.length === 0) {
    lab.error = 'Add a strategy to evaluate.';
    return;
  }
  lab.evaluation = {
    evalId: null,
    state: 'running',
    source: 'this app',
    model: lab.model?.name ?? '',
    done: 0,
    total: limit * configs.length,
    message: 'starting…',
    scores: [],
  };
  try {
    const { evalId } = await lab.api.request('startEval', { configs, limit });
    if (lab.evaluation) lab.evaluation.evalId = evalId;
  } catch (err) {
    lab.evaluation = { ...lab.evaluation!, state: 'failed', error: messageOf(err) };
  }
}

export async function cancelEvaluation(): Promise<void> {
  const evalId = lab.evaluation?.evalId;
  if (!lab.api || !evalId) return;
  try {
    await lab.api.request('cancelEval', { evalId });
  } catch (err) {
    lab.error = messageOf(err);
  }
}

/** Opens a `lab eval --json` file in the same chart. */
export async function openEvalFile(file: File): Promise<void> {
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch (err) {
    lab.error = `Evaluation file: ${file.name} is not JSON (${messageOf(err)})`;
    return;
  }
  const parsed = EvalFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    lab.error = `Evaluation file: ${file.name} is not a "lab eval --json" file (${issue.path.join('.') || 'file'}: ${issue.message})`;
    return;
  }
  const data = parsed.data;
  lab.evaluation = {
    evalId: null,
    state: 'done',
    source: file.name,
    model: data.model,
    done: data.examples,
    total: data.examples,
    message: '',
    scores: data.scores,
  };
}
