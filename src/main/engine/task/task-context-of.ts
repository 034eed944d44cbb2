import type { TaskContext } from '../search/task-context';
import type { TaskRecord } from './task-files';

/** The ground truth a search may score its latent views against. */
export function taskContextOf(index: number, record: TaskRecord): TaskContext {
  return {
    index,
    options: record.options,
    answer: record.answer,
    frontiers: record.steps.map((s) => s.frontier),
    currentConcepts: record.steps.map((s) => s.concept),
  };
}
