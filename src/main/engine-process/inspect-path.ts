import type { LoadedModel } from '../engine/model/load-model';
import type { StrategyConfig } from '../../shared/strategies';
import type { LensKind, LensLayer, TreeNode, TreeState } from '../../shared/tree';
import { encodePrompt } from '../engine/search/run-search';
import { inspectTreeNodeLens, LensUnavailableError } from '../engine/lens/logit-lens';
import { replayThoughtInputs } from '../engine/strategies/latent';
import { loadTunedLens } from '../engine/lens/tuned-lens';
import type { InterventionSpec } from '../../shared/intervention';
import { compileInterventions } from '../engine/intervention/compile';
import { DEFAULT_THOUGHT_RECIPE, forkPathThoughtInputs } from '../engine/intervention/thought-prefix';
import type { ConfigOf } from '../../shared/strategies';

/**
 * What the inspector asks of the engine for one node: the decoded text of its path and its logit lens.
 * The lens re-evaluates the path (the run's caches are gone); thoughts get their inputs replayed. A
 * model without the lens, or a path that cannot be re-evaluated, gives `lens: null`, not an error.
 */
export async function inspectPath(
  model: LoadedModel,
  prompt: string,
  config: StrategyConfig,
  path: TreeNode[],
  withLens = true,
  lensKind: LensKind = 'logit',
  intervention?: InterventionSpec,
  /** a fork: only its marked nodes were evaluated under the intervention */
  forked = false,
  /** a fork: the settings of its source's thoughts, and whether it grew from the prompt (evaluated steered) */
  fork?: { thoughts?: ConfigOf<'latent'>; fromRoot: boolean },
): Promise<{ pathText: string; lens: LensLayer[] | null; availableLenses?: LensKind[] }> {
  const target = path[path.length - 1];
  if (!target) throw new Error('inspect: empty path');
  const tokenIds = path.filter((n) => n.kind === 'token' && n.tokenId !== null).map((n) => n.tokenId!);
  // a path of the prompt and continuous thoughts alone has no token to decode
  const pathText = tokenIds.length > 0 ? model.tokenizer.decode(tokenIds, true) : '';
  if (!model.lens || !model.info.capabilities.logitLens || !model.info.capabilities.hiddenStates)
    return { pathText, lens: null, availableLenses: [] };
  const tuned = loadTunedLens(model.info.folder);
  const availableLenses: LensKind[] = tuned ? ['logit', 'tuned'] : ['logit'];
  if (!withLens || (lensKind === 'tuned' && !tuned)) return { pathText, lens: null, availableLenses };
  const tree: TreeState = {
    rootId: path[0]!.id,
    nodes: Object.fromEntries(path.map((n) => [n.id, n])),
    order: path.map((n) => n.id),
  };
  const promptIds = encodePrompt(model, prompt);
  const residual = intervention ? compileInterventions(model, [intervention]) : {};
  const steered = (id: number) => !!tree.nodes[id]?.intervention || (!!fork?.fromRoot && id === tree.rootId);
  const withThoughts = path.some((n) => n.kind === 'thought');
  try {
    // a fork's thoughts: the source's replayed plain, its own (and a twin) made under the intervention
    const sourceRecipe = fork?.thoughts ?? DEFAULT_THOUGHT_RECIPE;
    const thoughtInputs = !withThoughts
      ? undefined
      : fork
        ? await forkPathThoughtInputs(model, tree, promptIds, target.id, {
            intervention: residual,
            steered,
            sourceRecipe,
            forkRecipe: config.strategy === 'latent' ? config : sourceRecipe,
          })
        : config.strategy === 'latent'
          ? await replayThoughtInputs(model, tree, promptIds, config)
          : undefined;
    const lens = await inspectTreeNodeLens(model, tree, promptIds, target.id, {
      ...(thoughtInputs ? { thoughtInputs } : {}),
      ...(lensKind === 'tuned' ? { tuned } : {}),
      // under an intervention the lens reads the modified stream; a fork's prefix (unmarked nodes) stays plain
      ...(intervention ? { ...residual, ...(forked ? { plain: (id: number) => !steered(id) } : {}) } : {}),
    });
    return { pathText, lens, availableLenses };
  } catch (err) {
    if (err instanceof LensUnavailableError) return { pathText, lens: null, availableLenses };
    throw err;
  }
}
