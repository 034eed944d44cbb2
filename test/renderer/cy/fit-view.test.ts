import { describe, expect, it } from 'vitest';
import { fitViewport, visibleRect } from '../../../src/renderer/src/lib/cy/fit-view';

describe('fitViewport', () => {
  const points = [
    { x: 0, y: 0 },
    { x: 400, y: 300 },
    { x: 200, y: 600 },
  ];

  it('centres a tree that fits, and zooms no further in than the ceiling', () => {
    const fitted = fitViewport(points, 2000, 2000, 0, 1.5)!;
    expect(fitted.zoom).toBe(1.5);
    // the tree with its label room (70 right, 16 above) sits in the middle of the view
    const [w, h] = [(400 + 70) * 1.5, (600 + 16) * 1.5];
    expect(fitted.pan.x).toBeCloseTo((2000 - w) / 2, 9);
    expect(fitted.pan.y).toBeCloseTo((2000 - h) / 2 + 16 * 1.5, 9);
  });

  it('shrinks a big tree to the view, padding included', () => {
    const fitted = fitViewport(points, 400, 300, 0, 1.5)!;
    expect(fitted.zoom).toBeCloseTo(Math.min((400 - 48) / 470, (300 - 48) / 616), 12);
    const rect = visibleRect({ ...fitted, width: 400, height: 300 });
    for (const p of points) {
      expect(p.x).toBeGreaterThanOrEqual(rect.x0);
      expect(p.x).toBeLessThanOrEqual(rect.x1);
      expect(p.y).toBeGreaterThanOrEqual(rect.y0);
      expect(p.y).toBeLessThanOrEqual(rect.y1);
    }
  });

  it('keeps the floor for a tree that must stay legible, with the root in the top-left corner', () => {
    const fitted = fitViewport(points, 400, 300, 0.66, 1.5)!;
    expect(fitted.zoom).toBe(0.66);
    expect(fitted.pan).toEqual({ x: 24, y: 24 + 16 * 0.66 });
  });

  it('has nothing to fit without points', () => {
    expect(fitViewport([], 400, 300, 0, 1.5)).toBeNull();
  });
});

describe('visibleRect', () => {
  it('is the view in graph units, widened by a margin in view sizes', () => {
    const view = { zoom: 2, pan: { x: -100, y: 40 }, width: 400, height: 200 };
    expect(visibleRect(view)).toEqual({ x0: 50, x1: 250, y0: -20, y1: 80 });
    expect(visibleRect(view, 0.5)).toEqual({ x0: -50, x1: 350, y0: -70, y1: 130 });
  });
});
