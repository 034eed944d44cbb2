import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import type { TreeState } from '../../../../shared/tree';
import type { PatchEffect } from '../tree/apply-patches';
import { layoutTree } from '../tree/layout';
import { pathTo } from '../tree/paths';
import { treeStyle, treeStyleWithoutLabels } from './style';
import { edgeElements, nodeClasses, nodeElement, nodeLabel } from './elements';
import { probabilityColor } from '../tree/color';
import type { SvgScene } from '../export/tree-svg';

export interface TreeCanvasEvents {
  select(nodeId: number | null): void;
  hover(nodeId: number | null): void;
}

const STATUS_CLASSES = ['expanded', 'frontier', 'pruned', 'merged', 'finished'];
/** trees up to this size always show their labels */
const LABELS_ALWAYS = 1500;
/** bigger trees show them from this zoom on (where a 10px label is 7px or more on screen) */
const LABEL_ZOOM = 0.7;

/**
 * One run's Cytoscape view. Draws incrementally from patch effects (new nodes added, changed ones
 * restyled, all inside one cy.batch), with positions from the tidy layout handed over as a preset.
 */
export class TreeCanvas {
  readonly cy: Core;
  private tree: TreeState | null = null;
  /** how many nodes of `order` are shown (replay); null for all */
  private limit: number | null = null;
  private chosen: number[] = [];
  private hovered: number[] = [];
  /** the user panned or zoomed: stop fitting the growing tree to the view */
  private userMoved = false;

  constructor(container: HTMLElement, private readonly events: TreeCanvasEvents) {
    this.cy = cytoscape({
      container,
      style: treeStyle,
      layout: { name: 'preset' },
      hideEdgesOnViewport: true,
      textureOnViewport: true,
      motionBlur: false,
      selectionType: 'single',
      boxSelectionEnabled: false,
      minZoom: 0.02,
      maxZoom: 4,
    });
    this.cy.on('tap', 'node', (e) => this.events.select(e.target.data('nodeId') as number));
    this.cy.on('tap', (e) => {
      if (e.target === this.cy) this.events.select(null);
    });
    this.cy.on('mouseover', 'node', (e) => this.events.hover(e.target.data('nodeId') as number));
    this.cy.on('mouseout', 'node', () => this.events.hover(null));
    this.cy.on('viewport', () => {
      if (this.fitting === 0) this.userMoved = true;
      if (this.labelTimer) clearTimeout(this.labelTimer);
      this.labelTimer = setTimeout(() => this.updateLabels(this.cy.nodes().length), 150);
    });
  }

  private fitting = 0;
  /** whether the stylesheet in use draws token labels */
  private labels = true;
  private labelTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Labels are drawn for small trees, and for big ones once zoomed in far enough to read them. Turning
   * them off before a big tree is added saves measuring thousands of labels that would be hidden anyway.
   */
  private updateLabels(nodeCount: number): void {
    const want = nodeCount <= LABELS_ALWAYS || this.cy.zoom() >= LABEL_ZOOM;
    if (want === this.labels) return;
    this.labels = want;
    this.cy.style(want ? treeStyle : treeStyleWithoutLabels);
  }

  /** Brings the drawing up to date with `tree`, given what changed since the last call. */
  sync(tree: TreeState, effect: PatchEffect, limit: number | null = null): void {
    const rebuild = effect.reset || tree !== this.tree || limit !== this.limit || this.limit !== null;
    this.tree = tree;
    this.limit = limit;
    const shown = limit === null ? null : new Set(tree.order.slice(0, limit));
    const positions = layoutTree(tree, shown ? (id) => shown.has(id) : undefined, this.cy.width() / Math.max(1, this.cy.height()));
    if (positions.size > LABELS_ALWAYS && this.labels && !this.userMoved) {
      this.labels = false;
      this.cy.style(treeStyleWithoutLabels);
    }
    this.cy.batch(() => {
      if (rebuild) {
        this.cy.elements().remove();
        this.placed.clear();
        this.cy.add(this.elementsFor(shown ? tree.order.filter((id) => shown.has(id)) : tree.order, positions, true));
      } else {
        const added = [...effect.added].sort((a, b) => a - b).filter((id) => tree.nodes[id]);
        if (added.length > 0) this.cy.add(this.elementsFor(added, positions, false));
        for (const id of effect.updated) this.restyle(id);
        // Only nodes the tidy layout actually moved are touched (usually a fraction of the tree).
        for (const [id, p] of positions) {
          const before = this.placed.get(id);
          if (before && before.x === p.x && before.y === p.y) continue;
          this.cy.getElementById(`n${id}`).position(p);
        }
      }
      this.placed = positions;
      this.applyChosen();
    });
    if (!this.userMoved) this.fit();
    this.updateLabels(positions.size);
  }

  /** where each drawn node was put last time */
  private placed = new Map<number, { x: number; y: number }>();

  /**
   * Elements for new nodes and the edges into them. On a rebuild the canvas is empty, so edge ends are
   * checked against the batch alone (looking elements up one by one in Cytoscape costs more than drawing).
   */
  private elementsFor(ids: number[], positions: Map<number, { x: number; y: number }>, fresh: boolean): ElementDefinition[] {
    const tree = this.tree!;
    const inBatch = new Set(ids);
    const exists = (id: number) => inBatch.has(id) || (!fresh && !this.cy.getElementById(`n${id}`).empty());
    const elements: ElementDefinition[] = [];
    const edges: ElementDefinition[] = [];
    for (const id of ids) {
      const node = tree.nodes[id];
      if (!node) continue;
      elements.push(nodeElement(node, positions.get(id)));
      for (const edge of edgeElements(node)) {
        const { source, target } = edge.data as { source: string; target: string };
        // Edges whose other end is not drawn (yet, or in this replay step) wait for a later sync.
        if (exists(Number(source.slice(1))) && exists(Number(target.slice(1)))) edges.push(edge);
      }
    }
    if (!fresh) return [...elements, ...edges.filter((e) => this.cy.getElementById(e.data.id!).empty())];
    return elements.concat(edges);
  }

  private restyle(id: number): void {
    const node = this.tree!.nodes[id];
    const element = this.cy.getElementById(`n${id}`);
    if (!node || element.empty()) return;
    element.data({ label: nodeLabel(node), color: probabilityColor(node.logprob) });
    element.removeClass(STATUS_CLASSES.join(' ')).addClass(nodeClasses(node).join(' '));
    this.cy.getElementById(`e${id}`).toggleClass('pruned', node.status === 'pruned');
    // A node that became a lattice state or was absorbed gains edges.
    const missing = edgeElements(node).filter((e) => this.cy.getElementById(e.data.id!).empty());
    const drawable = missing.filter((e) => !this.cy.getElementById(e.data.source as string).empty() && !this.cy.getElementById(e.data.target as string).empty());
    if (drawable.length > 0) this.cy.add(drawable);
  }

  /** The chosen path (best hypothesis) drawn bold. */
  setChosen(nodeId: number | null): void {
    this.chosen = nodeId !== null && this.tree?.nodes[nodeId] ? pathTo(this.tree, nodeId) : [];
    this.cy.batch(() => this.applyChosen());
  }

  private applyChosen(): void {
    this.cy.elements('.chosen').removeClass('chosen');
    for (const id of this.chosen) {
      this.cy.getElementById(`n${id}`).addClass('chosen');
      this.cy.getElementById(`e${id}`).addClass('chosen');
    }
  }

  /** Highlights the path to `nodeId` (a path hovered in this or another view); null clears. */
  setHovered(nodeId: number | null): void {
    const ids = nodeId !== null && this.tree?.nodes[nodeId] ? pathTo(this.tree, nodeId) : [];
    if (ids.join() === this.hovered.join()) return;
    this.hovered = ids;
    this.cy.batch(() => {
      this.cy.elements('.hover').removeClass('hover');
      for (const id of ids) {
        this.cy.getElementById(`n${id}`).addClass('hover');
        this.cy.getElementById(`e${id}`).addClass('hover');
      }
    });
  }

  /** Selects a node; `reveal` (keyboard moves) also zooms in far enough to read it and keeps it in view. */
  setSelected(nodeId: number | null, reveal = false): void {
    const current = this.cy.nodes(':selected');
    if (nodeId === null) {
      current.unselect();
      return;
    }
    const element = this.cy.getElementById(`n${nodeId}`);
    if (element.selected()) return;
    current.unselect();
    element.select();
    if (!reveal || element.empty()) return;
    // A keyboard move keeps the selection centred and readable.
    this.fitting++;
    // Centre the node itself (cy.center would centre its label's box too), in the container's current
    // size: the header above it changes height when a run ends.
    this.cy.resize();
    const zoom = Math.max(this.cy.zoom(), 1);
    const at = element.position();
    this.cy.viewport({ zoom, pan: { x: this.cy.width() / 2 - at.x * zoom, y: this.cy.height() / 2 - at.y * zoom } });
    this.fitting--;
    this.userMoved = true;
  }

  /**
   * Fits the tree to the view from the layout's own positions: Cytoscape's fit measures every element's
   * bounding box (labels included), which at 10,000 nodes costs more than drawing them.
   */
  fit(): void {
    if (this.placed.size === 0) return;
    this.cy.resize();
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (const p of this.placed.values()) {
      minX = Math.min(minX, p.x);
      maxX = Math.max(maxX, p.x);
      minY = Math.min(minY, p.y);
      maxY = Math.max(maxY, p.y);
    }
    const pad = 24;
    const labelRoom = 80;
    const width = maxX - minX + labelRoom + 2 * pad;
    const height = maxY - minY + 2 * pad;
    const zoom = Math.max(this.cy.minZoom(), Math.min(1.5, this.cy.width() / width, this.cy.height() / height));
    this.fitting++;
    this.cy.viewport({
      zoom,
      pan: {
        x: (this.cy.width() - (maxX - minX + labelRoom) * zoom) / 2 - minX * zoom,
        y: (this.cy.height() - (maxY - minY) * zoom) / 2 - minY * zoom,
      },
    });
    this.fitting--;
  }

  /** Fit again and follow the growing tree. */
  resetView(): void {
    this.userMoved = false;
    this.fit();
  }

  /** The drawing as a scene for the SVG writer: what is on the canvas, at model coordinates. */
  scene(): SvgScene {
    const nodes = this.cy.nodes().map((n) => ({
      x: n.position('x'),
      y: n.position('y'),
      color: n.data('color') as string,
      label: n.data('label') as string,
      classes: n.classes(),
    }));
    const edges = this.cy.edges().map((e) => ({
      x1: e.source().position('x'),
      y1: e.source().position('y'),
      x2: e.target().position('x'),
      y2: e.target().position('y'),
      classes: e.classes(),
    }));
    return { nodes, edges };
  }

  png(): Blob {
    return this.cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff', maxWidth: 8000, maxHeight: 8000 });
  }

  resize(): void {
    this.cy.resize();
    if (!this.userMoved) this.fit();
  }

  destroy(): void {
    if (this.labelTimer) clearTimeout(this.labelTimer);
    this.cy.destroy();
  }
}
