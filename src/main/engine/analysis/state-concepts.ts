import type { StateConcept } from '../../../shared/analysis';

/**
 * Each HMM state's dominant true concept at each depth: the concept most of its hypotheses are at (by count),
 * with the share of the state's hypotheses that are. States whose hypotheses have no known concept get none.
 */
export function dominantConcepts(
  depths: readonly { nodeId: number; state: number }[][],
  conceptOf: (nodeId: number) => string | null,
): StateConcept[] {
  const out: StateConcept[] = [];
  depths.forEach((members, depth) => {
    const byState = new Map<number, Map<string, number>>();
    const sizes = new Map<number, number>();
    for (const m of members) {
      sizes.set(m.state, (sizes.get(m.state) ?? 0) + 1);
      const concept = conceptOf(m.nodeId);
      if (concept === null) continue;
      const counts = byState.get(m.state) ?? new Map<string, number>();
      counts.set(concept, (counts.get(concept) ?? 0) + 1);
      byState.set(m.state, counts);
    }
    for (const [state, counts] of [...byState].sort((a, b) => a[0] - b[0])) {
      // ties go to the alphabetically first concept, so the label does not depend on member order
      const [concept, count] = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
      out.push({ depth, state, concept, share: count / sizes.get(state)! });
    }
  });
  return out;
}
