import type { StrategyConfig } from '../../shared/strategies';

/** A default run label naming the settings that tell runs of one strategy apart in a comparison. */
export function defaultRunLabel(config: StrategyConfig, number: number): string {
  const detail = (() => {
    switch (config.strategy) {
      case 'greedy':
        return '';
      case 'sampling':
        return `n=${config.n} T=${config.temperature}`;
      case 'beam':
        return `B=${config.numBeams}`;
      case 'bfs':
        return `W=${config.width} merge=${config.merge.kind}`;
      case 'latent':
        return `${config.mode} ×${config.thoughts}`;
      case 'hmm':
        return `K=${config.states}`;
    }
  })();
  return `${config.strategy} #${number}${detail ? ` (${detail})` : ''}`;
}
