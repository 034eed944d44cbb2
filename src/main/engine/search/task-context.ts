import type { Ontology, TaskRecord } from '../task/task-files';

/** Ground truth for a prompt taken from the bundled task; filled by the task module. */
export interface TaskContext {
  index: number;
  options: string[];
  answer: string;
  /** per chain step: the concepts reachable from the start at that depth (the breadth-first frontier) */
  frontiers: string[][];
  /** per chain step: the true current concept along the reference chain */
  currentConcepts: string[];
  /** the final answer the task's checker extracts from a continuation (null: malformed), when the ontology is known */
  answerOf?: (text: string, endedWithEos: boolean) => string | null;
  /** the example itself and the ontology, for analyses that need more than the frontiers (e.g. frontier values) */
  record?: TaskRecord;
  ontology?: Ontology;
  /** latent runs also measure the frontier values after k thoughts (extra passes outside the run's stats and time budget) */
  frontierValues?: boolean;
}
