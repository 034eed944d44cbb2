import type { TaskContext } from '../../src/main/engine/search/task-context';

/** Hand-made ground truth over lab-tiny's words, for scoring latent views without the bundled model. */
export const TOY_TASK: TaskContext = {
  index: 0,
  options: ['c', 'd'],
  answer: 'd',
  frontiers: [['b'], ['d', 'e'], ['a', 'c', 'g']],
  currentConcepts: ['b', 'd', 'g'],
};
