import type { TaskExample } from '../../shared/lab-api';
import type { TaskFiles } from '../engine/task/task-files';
import { splitTokenBudget } from '../engine/task/evaluate-split';

/** The first `limit` questions of a model's bundled test split, as the example picker shows them. */
export function taskExamples(files: TaskFiles | null, limit: number): TaskExample[] {
  if (!files) return [];
  const tokenBudget = splitTokenBudget(files);
  return files.test.slice(0, limit).map((record, index) => ({
    tokenBudget,
    index,
    prompt: record.prompt,
    options: record.options,
    answer: record.answer,
    frontiers: record.steps.map((step) => step.frontier),
  }));
}
