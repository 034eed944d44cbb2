import type { Core, ElementDefinition } from 'cytoscape';
import type { TreeState } from '../../../../shared/tree';
import type { ColorBy } from '../tree/color';
import type { Point } from '../tree/layout';
import type { ViewNode } from '../tree/view-tree';
import { viewEdges, viewNodeLook } from './elements';

/** elements added to Cytoscape per animation frame when a drawing brings many (each costs about a millisecond) */
const ADD_CHUNK = 300;

/** The drawn tree as Cytoscape should show it. */
export interface DrawnTree {
  view: ReadonlyMap<string, ViewNode>;
  tree: TreeState;
  positions: ReadonlyMap<string, Point>;
  colorBy: ColorBy;
  /** the keys Cytoscape may hold (a big tree's window); all when absent */
  only?: ReadonlySet<string>;
}

interface Drawn {
  look: string;
  x: number;
  y: number;
}

/**
 * What Cytoscape holds of one tree, kept in step with the drawn tree by touching only the elements that
 * appeared, disappeared, moved or changed look. Many new elements arrive a chunk per animation frame.
 */
export class ElementSync {
  /** elements still to add, a chunk per animation frame */
  pending: ElementDefinition[] = [];
  private pendingFrame = 0;
  /** the nodes Cytoscape holds (or will, once `pending` is added), by element key */
  private readonly nodes = new Map<string, Drawn>();
  /** the edges, with their classes */
  private readonly edges = new Map<string, string>();

  constructor(
    private readonly cy: Core,
    /** an element's classes with the marks (chosen path, hover) it has at the moment */
    private readonly withMarks: (key: string, classes: string) => string,
    /** a chunk of pending elements was added; `done` when none are left */
    private readonly onChunk: (done: boolean) => void,
  ) {}

  nodeKeys(): Iterable<string> {
    return this.nodes.keys();
  }

  /**
   * Adds elements to Cytoscape: at once when few, otherwise a chunk per animation frame so that a
   * 100,000-node tree does not hold the page for seconds (nodes come before the edges that need them).
   */
  private add(elements: ElementDefinition[]): void {
    if (elements.length <= ADD_CHUNK) {
      this.cy.add(elements);
      return;
    }
    this.cy.add(elements.slice(0, ADD_CHUNK));
    this.pending = elements.slice(ADD_CHUNK);
    const step = () => {
      this.pendingFrame = 0;
      if (this.cy.destroyed()) return;
      const chunk = this.pending.splice(0, ADD_CHUNK);
      this.cy.add(chunk);
      if (this.pending.length > 0) this.pendingFrame = requestAnimationFrame(step);
      this.onChunk(this.pending.length === 0);
    };
    this.pendingFrame = requestAnimationFrame(step);
  }

  /** Adds what is still queued at once. */
  private flush(): void {
    if (this.pendingFrame) cancelAnimationFrame(this.pendingFrame);
    this.pendingFrame = 0;
    if (this.pending.length > 0) this.cy.add(this.pending);
    this.pending = [];
  }

  /**
   * Brings Cytoscape's elements in line with the drawn tree (`only`: the keys it may hold, for a big
   * tree's window), all in one batch: elements that left are removed, new ones added, and the others
   * touched only when they moved or changed look.
   */
  patch(drawn: DrawnTree): void {
    // the diff below starts from a complete drawing
    this.flush();
    this.cy.batch(() => this.patchInBatch(drawn));
  }

  private patchInBatch({ view, tree, positions, colorBy, only }: DrawnTree): void {
    const edges = viewEdges(view, tree, only);
    const gone = this.cy.collection();
    for (const key of this.edges.keys()) {
      if (!edges.has(key)) {
        gone.merge(this.cy.getElementById(key));
        this.edges.delete(key);
      }
    }
    for (const key of this.nodes.keys()) {
      if (!view.has(key) || (only && !only.has(key))) {
        gone.merge(this.cy.getElementById(key));
        this.nodes.delete(key);
      }
    }
    gone.remove();
    const added: ElementDefinition[] = [];
    for (const v of view.values()) {
      if (only && !only.has(v.key)) continue;
      const look = viewNodeLook(v, tree.nodes[v.nodeId]!, colorBy);
      const signature = `${look.label}\u0000${look.color}\u0000${look.classes}`;
      const p = positions.get(v.key)!;
      const before = this.nodes.get(v.key);
      this.nodes.set(v.key, { look: signature, x: p.x, y: p.y });
      if (!before) {
        added.push({
          group: 'nodes',
          data: { id: v.key, nodeId: v.nodeId, label: look.label, color: look.color },
          classes: this.withMarks(v.key, look.classes),
          position: { x: p.x, y: p.y },
        });
        continue;
      }
      if (before.look === signature && before.x === p.x && before.y === p.y) continue;
      const element = this.cy.getElementById(v.key);
      if (before.look !== signature) {
        element.data({ label: look.label, color: look.color });
        element.classes(this.withMarks(v.key, look.classes));
      }
      if (before.x !== p.x || before.y !== p.y) element.position({ x: p.x, y: p.y });
    }
    for (const [key, e] of edges) {
      const before = this.edges.get(key);
      this.edges.set(key, e.classes);
      if (before === undefined)
        added.push({
          group: 'edges',
          data: { id: key, source: e.source, target: e.target },
          classes: this.withMarks(key, e.classes),
        });
      else if (before !== e.classes) this.cy.getElementById(key).classes(this.withMarks(key, e.classes));
    }
    if (added.length > 0) this.add(added);
  }

  destroy(): void {
    if (this.pendingFrame) cancelAnimationFrame(this.pendingFrame);
  }
}
