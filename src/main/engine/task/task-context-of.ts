import type { TaskContext } from '../search/task-context';
import type { Ontology, TaskRecord } from './task-files';
import { checkAnswer } from './checker';

/** The ground truth a search may score its latent views against (and, given the ontology, its answer extractor). */
export function taskContextOf(index: number, record: TaskRecord, ontology?: Ontology): TaskContext {
  return {
    index,
    options: record.options,
    answer: record.answer,
    frontiers: record.steps.map((s) => s.frontier),
    currentConcepts: record.steps.map((s) => s.concept),
    ...(ontology ? { record, ontology, answerOf: (text: string, endedWithEos: boolean) => checkAnswer(ontology, record, text, endedWithEos).answer } : {}),
  };
}
