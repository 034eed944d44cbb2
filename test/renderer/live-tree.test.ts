import { describe, expect, it } from 'vitest';
import { LiveTree } from '../../src/renderer/src/lib/tree/live-tree';
import { growTree } from './tree-fixtures';

describe('LiveTree', () => {
  it('applies messages in order, ignores stale ones and reports a gap', () => {
    const { start, batches, final } = growTree(10, 3);
    const live = new LiveTree();
    expect(live.applyMessage(0, [{ op: 'replace', path: [], value: structuredClone(start) }])).toBe('applied');
    expect(live.applyMessage(2, batches[1]!)).toBe('gap');
    batches.forEach((batch, i) => expect(live.applyMessage(i + 1, structuredClone(batch))).toBe('applied'));
    expect(live.applyMessage(3, batches[2]!)).toBe('stale');
    expect(live.tree).toEqual(final);
    expect(live.size).toBe(final.order.length);
  });

  it('hands each change to the view once', () => {
    const { start, batches } = growTree(3, 4);
    const live = new LiveTree();
    live.reset(structuredClone(start), 0);
    expect(live.takeEffect().reset).toBe(true);
    live.applyMessage(1, structuredClone(batches[0]!));
    const effect = live.takeEffect();
    expect(effect.reset).toBe(false);
    expect(effect.added.size).toBeGreaterThan(0);
    expect(live.takeEffect().added.size).toBe(0);
  });
});
