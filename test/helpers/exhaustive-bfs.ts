import type { LoadedModel } from '../../src/main/engine/model/load-model';
import { runSearch, type RunOutput } from '../../src/main/engine/search/run-search';
import type { TaskContext } from '../../src/main/engine/search/task-context';
import { resolveStrategyConfig, type MergeKey } from '../../src/shared/strategies';

/**
 * BFS that prunes nothing on a fixture's 8-token vocabulary (every child kept, no width limit): the run the
 * oracle tests hold against exhaustive enumeration.
 */
export function exhaustiveBfs(
  model: LoadedModel,
  prompt: string,
  maxNewTokens: number,
  merge: MergeKey = { kind: 'none' },
  task?: TaskContext,
): Promise<RunOutput> {
  return runSearch({
    model,
    prompt,
    ...(task ? { task } : {}),
    config: resolveStrategyConfig({ strategy: 'bfs', topK: 8, topP: 1, width: 100000, maxNewTokens, merge }),
  });
}
