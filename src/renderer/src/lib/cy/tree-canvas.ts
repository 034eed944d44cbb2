import cytoscape, { type Core } from 'cytoscape';
import type { TreeState } from '../../../../shared/tree';
import { pathTo } from '../../../../shared/tree-sync';
import { layoutView, type Point } from '../tree/layout';
import type { ColorBy } from '../tree/color';
import { OverviewLayer } from './overview-layer';
import { overviewPng } from './overview-png';
import { BigTree, NO_MARKS } from './big-tree';
import { fitViewport, type SizedViewport } from './fit-view';
import { defaultViewOptions, viewTree, type ViewNode, type ViewOptions } from '../tree/view-tree';
import { LEGIBLE_ZOOM, treeStyle } from './style';
import { viewEdges, viewNodeLook } from './elements';
import { ElementSync } from './element-sync';
import { wirePointer } from './pointer-events';
import type { SvgScene } from '../export/tree-svg';

export interface TreeCanvasEvents {
  select(nodeId: number | null): void;
  hover(nodeId: number | null): void;
  /** the drawing changed (a sync, a fold or unfold, a stub opened) */
  drawn(): void;
  /** the viewport moved (pan, zoom, fit); `byUser` when the researcher moved it, not a fit or a synced view */
  viewport?(byUser: boolean): void;
}

/** Fit keeps trees up to this many drawn nodes at a zoom where labels are legible (the view scrolls instead) */
export const FIT_LEGIBLE_MAX = 300;

/** WebGL drawing (Cytoscape 3.31+), when the browser gives a WebGL2 context and the caller asks for it. */
export function webglAvailable(): boolean {
  try {
    return document.createElement('canvas').getContext('webgl2') !== null;
  } catch {
    return false;
  }
}

/**
 * One run's Cytoscape view. Each sync rebuilds the drawn tree (view-tree.ts: stubs, folds, replay) and
 * its tidy layout in linear time, then touches only the Cytoscape elements that appeared, disappeared,
 * moved or changed look, all inside one cy.batch.
 */
export class TreeCanvas {
  readonly cy: Core;
  readonly options: ViewOptions = defaultViewOptions();
  private tree: TreeState | null = null;
  private view = new Map<string, ViewNode>();
  /** positions of the drawn nodes by element key */
  positions = new Map<string, Point>();
  private readonly elements: ElementSync;
  private chosen = new Set<string>();
  private hovered = new Set<string>();
  private hoveredIds: number[] = [];
  /** the user panned or zoomed: stop fitting the growing tree to the view */
  private userMoved = false;
  private fitting = 0;
  private windowTimer: ReturnType<typeof setTimeout> | null = null;
  /** a plain canvas under Cytoscape's that draws big and growing trees */
  private readonly overview: OverviewLayer;
  /** the tree as the overview layer draws it, when it does; Cytoscape then holds only `big.window` */
  private big: BigTree | null = null;
  private overviewFrame = 0;
  private selectedId: number | null = null;
  private colorBy: ColorBy = 'probability';
  /** the run is still growing */
  private live = false;

  constructor(
    container: HTMLElement,
    private readonly events: TreeCanvasEvents,
    webgl = false,
  ) {
    this.cy = cytoscape({
      container,
      style: treeStyle,
      layout: { name: 'preset' },
      // No texture of the whole scene while the viewport moves (Cytoscape's guide for big graphs): Cytoscape
      // holds a few hundred elements at most here, and a growing tree refits the view at every step, which
      // would rebuild that texture each time.
      motionBlur: false,
      selectionType: 'single',
      boxSelectionEnabled: false,
      // the overview layer draws a 100,000-node tree whole at Fit
      minZoom: 0.0002,
      maxZoom: 4,
      ...(webgl ? { renderer: { name: 'canvas', webgl: true } as never } : {}),
    });
    this.overview = new OverviewLayer(container);
    this.elements = new ElementSync(
      this.cy,
      (key, classes) => this.withMarks(key, classes),
      (done) => {
        this.drawOverviewSoon();
        if (done) this.events.drawn();
      },
    );
    wirePointer(this.cy, container, {
      viewNode: (key) => this.view.get(key),
      overviewNodeAt: (at) => this.overviewNodeAt(at),
      overviewDrawn: () => this.big !== null,
      toggleStub: (parentId) => this.toggleStub(parentId),
      toggleCollapse: (nodeId) => this.toggleCollapse(nodeId),
      select: (nodeId) => this.events.select(nodeId),
      hover: (nodeId) => this.events.hover(nodeId),
    });
    this.cy.on('viewport', () => {
      const byUser = this.fitting === 0;
      if (byUser) this.userMoved = true;
      if (this.windowTimer) clearTimeout(this.windowTimer);
      this.windowTimer = setTimeout(() => this.updateWindow(), 150);
      this.drawOverviewSoon();
      this.events.viewport?.(byUser);
    });
  }

  /** whether part of the tree lies outside the view (the overview is worth showing) */
  overflows(): boolean {
    const zoom = this.cy.zoom();
    const pan = this.cy.pan();
    const [w, h] = [this.cy.width(), this.cy.height()];
    for (const p of this.positions.values()) {
      const x = p.x * zoom + pan.x;
      const y = p.y * zoom + pan.y;
      if (x < 0 || y < 0 || x > w || y > h) return true;
    }
    return false;
  }

  /** nodes drawn (a big first drawing reaches Cytoscape over several frames; the overview draws at once) */
  get drawnCount(): number {
    return this.big ? this.big.scene.size : this.cy.nodes().length;
  }

  /** whether the overview layer draws this tree (too big for one Cytoscape element per node) */
  get overviewDrawn(): boolean {
    return this.big !== null;
  }

  /** a growing tree the view follows: the overview layer draws all of it, Cytoscape none */
  private get followingGrowth(): boolean {
    return this.live && !this.userMoved;
  }

  /** Brings the drawing up to date with `tree` (the whole tree; what is drawn follows `options`). */
  sync(tree: TreeState): void {
    this.tree = tree;
    const { root, nodes } = viewTree(tree, this.options);
    this.view = nodes;
    this.positions = layoutView(root);
    // Trees small enough to read at Fit are Cytoscape elements. Bigger ones are drawn by the overview layer
    // (a plain canvas), and Cytoscape holds only the nodes in view once zoomed in far enough to read them:
    // adding, moving and restyling thousands of elements on every growth step is what froze the window.
    // A growing tree that the view follows is drawn by the overview layer at any size, labels included:
    // Cytoscape's first drawing of each new element costs a few milliseconds, and a growth step brings
    // dozens. Cytoscape takes the tree over once it stops growing, or once the researcher moves the view.
    const following = this.followingGrowth;
    this.big =
      nodes.size > FIT_LEGIBLE_MAX || following ? new BigTree(nodes, this.positions, tree, this.colorBy) : null;
    this.overview.setScene(this.big?.scene ?? null);
    if (!this.userMoved) this.fit();
    if (this.big) this.big.window = following ? new Set() : this.big.windowAt(this.viewport(), LEGIBLE_ZOOM);
    this.patchElements(tree);
    this.drawOverview();
    if (this.elements.pending.length === 0 || this.big) this.events.drawn();
  }

  /** After a pan or zoom: hands Cytoscape the nodes now in view (a big drawing). */
  private updateWindow(): void {
    const { big, tree } = this;
    if (!big || !tree || this.followingGrowth) return;
    const next = big.windowAt(this.viewport(), LEGIBLE_ZOOM);
    if (next.size === big.window.size && [...next].every((k) => big.window.has(k))) return;
    big.window = next;
    this.patchElements(tree);
    this.drawOverview();
    if (this.elements.pending.length === 0) this.events.drawn();
  }

  /** The node of a big drawing under a point (graph units), from the overview's index. */
  private overviewNodeAt(at: Point): ViewNode | null {
    const key = this.big?.keyAt(at, this.cy.zoom());
    return key ? (this.view.get(key) ?? null) : null;
  }

  private drawOverviewSoon(): void {
    if (!this.big || this.overviewFrame) return;
    this.overviewFrame = requestAnimationFrame(() => {
      this.overviewFrame = 0;
      this.drawOverview();
    });
  }

  /** Redraws the overview layer (which clears it when the tree is small enough for Cytoscape alone). */
  private drawOverview(): void {
    const marks = this.big
      ? {
          ...this.big.marks(
            this.elements.nodeKeys(),
            this.elements.pending,
            this.chosen,
            this.hoveredIds,
            this.selectedId,
          ),
          labels: this.cy.zoom() >= LEGIBLE_ZOOM,
        }
      : NO_MARKS;
    this.overview.draw(this.viewport(), marks);
  }

  private viewport(): SizedViewport {
    return { zoom: this.cy.zoom(), pan: this.cy.pan(), width: this.cy.width(), height: this.cy.height() };
  }

  private patchElements(tree: TreeState): void {
    this.elements.patch({
      view: this.view,
      tree,
      positions: this.positions,
      colorBy: this.colorBy,
      only: this.big?.window,
    });
  }

  /** An element's classes with the chosen-path and hover marks it currently has. */
  private withMarks(key: string, classes: string): string {
    let out = classes;
    if (this.chosen.has(key)) out += ' chosen';
    if (this.hovered.has(key)) out += ' hover';
    return out;
  }

  /** The element keys of a path: its nodes and the first-parent edges into them. */
  private pathKeys(nodeId: number | null): Set<string> {
    const keys = new Set<string>();
    if (nodeId === null || !this.tree?.nodes[nodeId]) return keys;
    for (const id of pathTo(this.tree, nodeId)) keys.add(`n${id}`).add(`en${id}`);
    return keys;
  }

  private mark(previous: Set<string>, next: Set<string>, cls: string): void {
    this.cy.batch(() => {
      for (const key of previous) if (!next.has(key)) this.cy.getElementById(key).removeClass(cls);
      for (const key of next) if (!previous.has(key)) this.cy.getElementById(key).addClass(cls);
    });
  }

  /** The chosen path (best hypothesis) drawn bold. */
  setChosen(nodeId: number | null): void {
    const next = this.pathKeys(nodeId);
    this.mark(this.chosen, next, 'chosen');
    this.chosen = next;
    this.drawOverviewSoon();
  }

  /** Highlights the path to `nodeId` (a path hovered in this or another view); null clears. */
  setHovered(nodeId: number | null): void {
    const ids = nodeId !== null && this.tree?.nodes[nodeId] ? pathTo(this.tree, nodeId) : [];
    if (ids.join() === this.hoveredIds.join()) return;
    this.hoveredIds = ids;
    const next = this.pathKeys(nodeId);
    this.mark(this.hovered, next, 'hover');
    this.hovered = next;
    this.drawOverviewSoon();
  }

  /** Opens or closes the "+k pruned" stub under `parentId`. */
  toggleStub(parentId: number): void {
    toggle(this.options.expandedStubs as Set<number>, parentId);
    this.redraw();
  }

  /** Folds or unfolds the subtree under `nodeId`. */
  toggleCollapse(nodeId: number): void {
    toggle(this.options.collapsed as Set<number>, nodeId);
    this.redraw();
  }

  /** Whether the run is still growing (its tree is drawn by the overview layer while the view follows it). */
  setLive(live: boolean): void {
    if (this.live === live) return;
    this.live = live;
    this.redraw();
  }

  /** Colours the nodes by token probability or by next-token entropy. */
  setColorBy(colorBy: ColorBy): void {
    if (this.colorBy === colorBy) return;
    this.colorBy = colorBy;
    this.redraw();
  }

  setHidePruned(hide: boolean): void {
    if (this.options.hidePruned === hide) return;
    this.options.hidePruned = hide;
    this.redraw();
  }

  /** Replay: draw only the first `limit` nodes in creation order (null: all). */
  setLimit(limit: number | null): void {
    this.options.limit = limit;
  }

  isCollapsed(nodeId: number): boolean {
    return this.options.collapsed.has(nodeId);
  }

  private redraw(): void {
    if (this.tree) this.sync(this.tree);
  }

  /** Selects a node; `reveal` (keyboard moves) also zooms in far enough to read it and keeps it in view. */
  setSelected(nodeId: number | null, reveal = false): void {
    if (nodeId !== this.selectedId) {
      this.selectedId = nodeId;
      this.drawOverviewSoon();
    }
    const current = this.cy.nodes(':selected');
    if (nodeId === null) {
      current.unselect();
      return;
    }
    const element = this.cy.getElementById(`n${nodeId}`);
    if (!element.selected()) {
      current.unselect();
      element.select();
    }
    if (reveal) this.zoomToNode(nodeId);
  }

  /** Centres a node at a zoom where its label reads. */
  zoomToNode(nodeId: number): void {
    const at = this.positions.get(`n${nodeId}`);
    if (!at) return;
    // the container's current size: the header above it changes height when a run ends
    this.cy.resize();
    const zoom = Math.max(this.cy.zoom(), 1);
    this.setViewport(zoom, { x: this.cy.width() / 2 - at.x * zoom, y: this.cy.height() / 2 - at.y * zoom });
    this.userMoved = true;
  }

  /** Fits the chosen path (as far as it is drawn) to the view. */
  zoomToChosen(): void {
    const points = [...this.chosen]
      .filter((k) => k.startsWith('n'))
      .map((k) => this.positions.get(k))
      .filter((p): p is Point => p !== undefined);
    if (points.length === 0) return;
    this.fitPoints(points, 0, 1.5);
    this.userMoved = true;
  }

  private setViewport(zoom: number, pan: { x: number; y: number }): void {
    const [was, at] = [this.cy.zoom(), this.cy.pan()];
    if (was === zoom && at.x === pan.x && at.y === pan.y) return;
    this.fitting++;
    this.cy.viewport({ zoom, pan });
    this.fitting--;
  }

  /**
   * Fits the tree to the view from the layout's own positions (Cytoscape's fit measures every element's
   * bounding box, labels included, which at 10,000 nodes costs more than drawing them). A tree small
   * enough to read is never shrunk past the zoom where labels vanish: the view shows its root and the
   * start of its chains, and the researcher scrolls for the rest.
   */
  fit(): void {
    if (this.positions.size === 0) return;
    this.fitPoints(this.positions.values(), this.view.size <= FIT_LEGIBLE_MAX ? LEGIBLE_ZOOM : 0, 1.5);
  }

  private fitPoints(points: Iterable<Point>, floor: number, ceiling: number): void {
    this.cy.resize();
    const fitted = fitViewport(points, this.cy.width(), this.cy.height(), Math.max(this.cy.minZoom(), floor), ceiling);
    if (fitted) this.setViewport(fitted.zoom, fitted.pan);
  }

  /** Fit again and follow the growing tree. */
  resetView(): void {
    this.userMoved = false;
    this.fit();
  }

  /** Moves the view (synced views, the minimap) without counting as the user's own move here. */
  setView(zoom: number, pan: { x: number; y: number }): void {
    this.setViewport(zoom, pan);
    this.userMoved = true;
  }

  /** The drawing as a scene for the SVG writer, at graph coordinates, without hover or selection marks. */
  scene(): SvgScene {
    const tree = this.tree;
    if (!tree) return { nodes: [], edges: [] };
    const classes = (key: string, own: string) =>
      (this.chosen.has(key) ? `${own} chosen` : own).split(' ').filter(Boolean);
    const nodes = [...this.view.values()].map((v) => {
      const look = viewNodeLook(v, tree.nodes[v.nodeId]!, this.colorBy);
      const p = this.positions.get(v.key)!;
      return { x: p.x, y: p.y, color: look.color, label: look.label, classes: classes(v.key, look.classes) };
    });
    const edges = [...viewEdges(this.view, tree)].map(([key, e]) => {
      const [a, b] = [this.positions.get(e.source)!, this.positions.get(e.target)!];
      return { x1: a.x, y1: a.y, x2: b.x, y2: b.y, classes: classes(key, e.classes) };
    });
    return { nodes, edges };
  }

  /** The whole drawing as PNG, with every label and without the hover highlight or selection. */
  png(): Blob {
    if (this.big) return overviewPng(this.big.scene, this.big.marks([], [], this.chosen, [], null).chosen);
    const hovered = this.hovered;
    const selected = this.cy.nodes(':selected');
    this.mark(hovered, new Set(), 'hover');
    this.hovered = new Set();
    selected.unselect();
    try {
      return this.cy.png({ output: 'blob', full: true, scale: 2, bg: '#ffffff', maxWidth: 8000, maxHeight: 8000 });
    } finally {
      selected.select();
      this.mark(new Set(), hovered, 'hover');
      this.hovered = hovered;
    }
  }

  resize(): void {
    this.cy.resize();
    if (!this.userMoved) this.fit();
  }

  destroy(): void {
    this.elements.destroy();
    if (this.overviewFrame) cancelAnimationFrame(this.overviewFrame);
    if (this.windowTimer) clearTimeout(this.windowTimer);
    this.cy.destroy();
  }
}

function toggle(set: Set<number>, id: number): void {
  if (set.has(id)) set.delete(id);
  else set.add(id);
}
