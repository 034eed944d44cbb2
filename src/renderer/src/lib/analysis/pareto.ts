/**
 * The points no other point beats on both axes: lower cost (x) and higher accuracy (y). A point equal to
 * another on both stays on the front. Returned in order of cost.
 */
export function paretoFront<P extends { x: number; y: number }>(points: readonly P[]): P[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || b.y - a.y);
  const front: P[] = [];
  let bestY = -Infinity;
  for (const p of sorted) {
    const last = front[front.length - 1];
    if (p.y > bestY || (last && p.x === last.x && p.y === last.y)) {
      front.push(p);
      bestY = Math.max(bestY, p.y);
    }
  }
  return front;
}
