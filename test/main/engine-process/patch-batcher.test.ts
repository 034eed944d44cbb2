import { describe, expect, it, vi } from 'vitest';
import type { Patch } from 'immer';
import { PatchBatcher } from '../../../src/main/engine-process/patch-batcher';

const patch = (i: number): Patch => ({ op: 'add', path: ['order', i], value: i });

describe('PatchBatcher', () => {
  it('sends at most one message per interval however fast steps come, losing and reordering nothing', () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const sent: { at: number; patches: Patch[] }[] = [];
      const batcher = new PatchBatcher(
        (patches) => sent.push({ at: now, patches }),
        33,
        () => now,
      );
      // 1,000 steps a second for two seconds
      for (let i = 0; i < 2000; i++) {
        batcher.push([patch(i)]);
        now += 1;
        vi.advanceTimersByTime(1);
      }
      batcher.flush();
      const perSecond = sent.filter((s) => s.at < 1000).length;
      expect(perSecond).toBeLessThanOrEqual(31);
      expect(sent.flatMap((s) => s.patches)).toEqual(Array.from({ length: 2000 }, (_, i) => patch(i)));
      for (let i = 1; i < sent.length - 1; i++) expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual(33);
    } finally {
      vi.useRealTimers();
    }
  });

  it('delivers the tail of a burst on its own timer when no further step arrives', () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const sent: Patch[][] = [];
      const batcher = new PatchBatcher(
        (p) => sent.push(p),
        33,
        () => now,
      );
      batcher.push([patch(0)]);
      batcher.push([patch(1)]);
      expect(sent).toHaveLength(1);
      now = 40;
      vi.advanceTimersByTime(40);
      expect(sent).toEqual([[patch(0)], [patch(1)]]);
    } finally {
      vi.useRealTimers();
    }
  });
});
