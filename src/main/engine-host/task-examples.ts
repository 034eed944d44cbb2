import type { TaskExample } from '../../shared/lab-api';
import type { TaskFiles } from '../engine/task/task-files';

/** The first `limit` questions of a model's bundled test split, as the example picker shows them. */
export function taskExamples(files: TaskFiles | null, limit: number): TaskExample[] {
  if (!files) return [];
  return files.test.slice(0, limit).map((record, index) => ({
    index,
    prompt: record.prompt,
    options: record.options,
    answer: record.answer,
  }));
}
