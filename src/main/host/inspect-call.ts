import type { EngineCall } from '../engine-link/protocol';
import type { ModelInfo } from '../../shared/model';
import type { ConfigOf } from '../../shared/strategies';
import type { LensKind, TreeNode } from '../../shared/tree';
import type { HostRun } from './host-run';
import { resolveIntervention } from './directions';

/**
 * What the engine is asked to rebuild a node's context and read its lens: the run's prompt and settings, the path
 * from the root, and whatever made the run's tree besides the strategy (its intervention, the fork it came from).
 */
export function inspectCall(options: {
  run: HostRun;
  /** the nodes from the root to the inspected one */
  path: TreeNode[];
  rootId: number;
  /** the run's model folder (the open model's, for an imported run of the same model) */
  folder: string;
  lens: LensKind;
  /** the model open now: a stored intervention is resolved against it when the run is of that model */
  openModel: ModelInfo | null;
  /** the continuous-thought settings of the run a fork chain started from (see LabService.thoughtSettings) */
  thoughts?: ConfigOf<'latent'>;
}): Extract<EngineCall, { kind: 'inspect' }> {
  const { run, path, rootId, folder, lens, openModel, thoughts } = options;
  const { summary } = run;
  const node = path[path.length - 1]!;
  return {
    kind: 'inspect',
    folder,
    prompt: summary.prompt,
    config: summary.config,
    path,
    // a logit lens stored on the node (continuous thoughts) need not be recomputed
    withLens: lens === 'tuned' || !node.lens,
    lens,
    ...(summary.intervention && openModel?.folder === folder
      ? { intervention: resolveIntervention(openModel, summary.intervention), forked: summary.forkOf !== undefined }
      : {}),
    ...(summary.forkOf
      ? { fork: { fromRoot: summary.forkOf.nodeId === rootId, ...(thoughts ? { thoughts } : {}) } }
      : {}),
  };
}
