import { describe, expect, it } from 'vitest';
import { RedrawPacer } from '../../../src/renderer/src/lib/cy/redraw-pacer';

describe('RedrawPacer.wait', () => {
  it('redraws small trees at once, big ones every size/20 ms (at most half a second), never sooner than twice a redraw', () => {
    expect(RedrawPacer.wait(100, 2, 0)).toBe(5);
    expect(RedrawPacer.wait(100, 2, 50)).toBe(0);
    expect(RedrawPacer.wait(4000, 10, 0)).toBe(200);
    expect(RedrawPacer.wait(4000, 10, 150)).toBe(50);
    expect(RedrawPacer.wait(100_000, 10, 0)).toBe(500);
    expect(RedrawPacer.wait(100_000, 400, 100)).toBe(700);
  });
});
