import { describe, expect, it } from 'vitest';
import { dominantConcepts } from '../../../../src/main/engine/analysis/state-concepts';

describe('dominant true concept per HMM state', () => {
  it('labels each state by the concept most of its hypotheses are at, with its share', () => {
    const concepts: Record<number, string | null> = { 1: 'a', 2: 'a', 3: 'b', 4: 'b', 5: 'c', 6: null, 7: 'z', 8: 'y' };
    const depths = [
      [
        { nodeId: 1, state: 0 },
        { nodeId: 2, state: 0 },
        { nodeId: 3, state: 0 },
        { nodeId: 4, state: 1 },
        { nodeId: 6, state: 1 },
      ],
      [
        { nodeId: 7, state: 0 },
        { nodeId: 8, state: 0 },
        { nodeId: 6, state: 2 },
      ],
    ];
    expect(dominantConcepts(depths, (id) => concepts[id] ?? null)).toEqual([
      { depth: 0, state: 0, concept: 'a', share: 2 / 3 },
      // a hypothesis without a concept still counts in the state's size
      { depth: 0, state: 1, concept: 'b', share: 1 / 2 },
      // a tie goes to the alphabetically first concept; a state with no known concept gets no label
      { depth: 1, state: 0, concept: 'y', share: 1 / 2 },
    ]);
  });
});
