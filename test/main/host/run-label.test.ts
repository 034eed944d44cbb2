import { describe, expect, it } from 'vitest';
import { defaultRunLabel } from '../../../src/main/host/run-label';
import { resolveStrategyConfig } from '../../../src/shared/strategies';

describe('default run labels', () => {
  it('name the strategy, the run number and the settings that tell runs apart', () => {
    expect(defaultRunLabel(resolveStrategyConfig({ strategy: 'greedy' }), 1)).toBe('greedy #1');
    expect(defaultRunLabel(resolveStrategyConfig({ strategy: 'beam', numBeams: 3 }), 2)).toBe('beam #2 (B=3)');
    expect(defaultRunLabel(resolveStrategyConfig({ strategy: 'sampling', n: 50, temperature: 0.7 }), 3)).toBe(
      'sampling #3 (n=50 T=0.7)',
    );
    expect(
      defaultRunLabel(resolveStrategyConfig({ strategy: 'bfs', width: 8, merge: { kind: 'last-n', n: 2 } }), 4),
    ).toBe('bfs #4 (W=8 merge=last-n)');
    expect(defaultRunLabel(resolveStrategyConfig({ strategy: 'latent', mode: 'hidden', thoughts: 2 }), 5)).toBe(
      'latent #5 (hidden ×2)',
    );
    expect(defaultRunLabel(resolveStrategyConfig({ strategy: 'hmm', states: 6 }), 6)).toBe('hmm #6 (K=6)');
  });
});
