import type { ElementDefinition } from 'cytoscape';
import type { TreeState } from '../../../../shared/tree';
import type { ColorBy } from '../tree/color';
import { ColumnIndex } from '../tree/column-index';
import { COLUMN_GAP, type Point } from '../tree/layout';
import type { ViewNode } from '../tree/view-tree';
import { visibleRect, type SizedViewport } from './fit-view';
import type { OverviewMarks, OverviewScene } from './overview-layer';
import { overviewScene } from './overview-scene';

/** the most nodes a big tree's window hands to Cytoscape */
const WINDOW_MAX = 700;
/** how far around the view the window reaches, in view sizes, so a short pan finds its nodes there */
const WINDOW_MARGIN = 0.25;

export const NO_MARKS: OverviewMarks = { inCytoscape: null, chosen: [], hovered: [], selected: -1 };

/**
 * A tree too big to be one Cytoscape element per node: its overview scene (drawn whole by the overview
 * layer), an index to find its nodes by position, and the window of nodes Cytoscape holds.
 */
export class BigTree {
  readonly scene: OverviewScene;
  /** element key of each scene entry */
  readonly keys: string[];
  readonly indexOf: Map<string, number>;
  private readonly index: ColumnIndex;
  /** the keys Cytoscape holds: the nodes in and around the view when zoomed in to read */
  window = new Set<string>();

  constructor(
    view: ReadonlyMap<string, ViewNode>,
    positions: ReadonlyMap<string, Point>,
    tree: TreeState,
    colorBy: ColorBy,
  ) {
    ({ scene: this.scene, keys: this.keys, indexOf: this.indexOf } = overviewScene(view, positions, tree, colorBy));
    this.index = new ColumnIndex(this.scene.x, this.scene.y, this.scene.size, COLUMN_GAP);
  }

  /**
   * The keys of the nodes in and around the view when there are few enough to be Cytoscape elements and
   * the zoom reaches `legibleZoom`; none otherwise (the overview layer draws them all).
   */
  windowAt(view: SizedViewport, legibleZoom: number): Set<string> {
    if (view.zoom < legibleZoom) return new Set();
    const { x0, x1, y0, y1 } = visibleRect(view, WINDOW_MARGIN);
    const found = this.index.inRect(x0, x1, y0, y1, WINDOW_MAX);
    return new Set(found ? found.map((i) => this.keys[i]!) : []);
  }

  /** The key of the node under a point (graph units) within a few screen pixels, or null. */
  keyAt(at: Point, zoom: number): string | null {
    const i = this.index.nearest(at.x, at.y, Math.max(8, 6 / zoom));
    return i < 0 ? null : this.keys[i]!;
  }

  /**
   * What the overview layer marks: what Cytoscape has drawn (its nodes less those still waiting to be
   * added over the next frames), the chosen path, the hovered path and the selected node.
   */
  marks(
    inCytoscape: Iterable<string>,
    waiting: readonly ElementDefinition[],
    chosenKeys: Iterable<string>,
    hoveredIds: readonly number[],
    selectedId: number | null,
  ): OverviewMarks {
    const held = new Uint8Array(this.scene.size);
    for (const key of inCytoscape) {
      const i = this.indexOf.get(key);
      if (i !== undefined) held[i] = 1;
    }
    for (const e of waiting) {
      const i = e.group === 'nodes' ? this.indexOf.get(e.data.id!) : undefined;
      if (i !== undefined) held[i] = 0;
    }
    const entries = (keys: Iterable<string>) =>
      [...keys].map((k) => this.indexOf.get(k)).filter((i): i is number => i !== undefined);
    return {
      inCytoscape: held,
      chosen: entries([...chosenKeys].filter((k) => k.startsWith('n'))),
      hovered: entries(hoveredIds.map((id) => `n${id}`)),
      selected: selectedId === null ? -1 : (this.indexOf.get(`n${selectedId}`) ?? -1),
    };
  }
}
