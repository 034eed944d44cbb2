import type { StrategyConfig, StrategyName } from '../../../shared/strategies';
import type { Strategy } from '../search/search-context';
import type { Capabilities } from '../../../shared/model';
import { greedy } from './greedy';
import { sampling } from './sampling';
import { beam } from './beam';
import { bfs } from './bfs';
import { latent, latentNeeds } from './latent';
import { hmm } from './hmm';
import { adaptive } from './adaptive';

/** Each strategy and the model capabilities it cannot run without. */
export interface StrategyEntry<S extends StrategyName> {
  run: Strategy<S>;
  needs: (config: import('../../../shared/strategies').ConfigOf<S>) => (keyof Capabilities)[];
}

type Registry = { [S in StrategyName]?: StrategyEntry<S> };

export const strategies: Registry = {
  greedy: { run: greedy, needs: () => [] },
  sampling: { run: sampling, needs: () => [] },
  beam: { run: beam, needs: () => [] },
  latent: { run: latent, needs: latentNeeds },
  hmm: { run: hmm, needs: () => ['lastHiddenState'] },
  bfs: { run: bfs, needs: (c) => (c.merge.kind === 'latent' ? ['lastHiddenState'] : []) },
  adaptive: { run: adaptive, needs: (c) => (c.merge.kind === 'latent' ? ['lastHiddenState'] : []) },
};

/** The capabilities a configured strategy needs from its model. */
export function strategyNeeds(config: StrategyConfig): (keyof Capabilities)[] {
  const entry = strategies[config.strategy] as StrategyEntry<typeof config.strategy> | undefined;
  return entry ? (entry.needs as (c: StrategyConfig) => (keyof Capabilities)[])(config) : [];
}
