import type { TaskContext } from '../search/task-context';
import type { Ontology, TaskRecord } from './task-files';
import { checkAnswer } from './checker';

/**
 * The ground truth a search may score its latent views against (and, given the ontology, its answer extractor).
 * `frontierValues: false` skips the latent-search probe (eval leaves it out so it does not count as the run's time).
 */
export function taskContextOf(
  index: number,
  record: TaskRecord,
  ontology?: Ontology,
  { frontierValues = true } = {},
): TaskContext {
  return {
    index,
    options: record.options,
    answer: record.answer,
    frontiers: record.steps.map((s) => s.frontier),
    currentConcepts: record.steps.map((s) => s.concept),
    ...(ontology
      ? {
          record,
          ontology,
          frontierValues,
          answerOf: (text: string, endedWithEos: boolean) => checkAnswer(ontology, record, text, endedWithEos).answer,
        }
      : {}),
  };
}
