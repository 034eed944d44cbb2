import type { Core } from 'cytoscape';
import type { Point } from '../tree/layout';
import type { ViewNode } from '../tree/view-tree';

/** What a run's canvas does with the pointer: the drawn node under it, and what a click or hover means. */
export interface PointerTarget {
  /** the drawn node of a Cytoscape element */
  viewNode(key: string): ViewNode | undefined;
  /** the node of a big drawing under a point (graph units), drawn by the overview layer and not by Cytoscape */
  overviewNodeAt(at: Point): ViewNode | null;
  /** the tree is drawn by the overview layer (its nodes answer through `overviewNodeAt`) */
  overviewDrawn(): boolean;
  toggleStub(parentId: number): void;
  toggleCollapse(nodeId: number): void;
  select(nodeId: number | null): void;
  hover(nodeId: number | null): void;
}

/**
 * Clicks, double-clicks and hover on a run's canvas, over Cytoscape's elements and the overview layer's nodes
 * alike: a click opens a "+k pruned" stub or selects a node (the background clears the selection), a
 * double-click folds a subtree.
 */
export function wirePointer(cy: Core, container: HTMLElement, target: PointerTarget): void {
  cy.on('tap', 'node', (e) => {
    const v = target.viewNode(e.target.id() as string);
    if (v?.stub) target.toggleStub(v.nodeId);
    else target.select(e.target.data('nodeId') as number);
  });
  cy.on('dbltap', 'node', (e) => {
    const v = target.viewNode(e.target.id() as string);
    if (v && !v.stub) target.toggleCollapse(v.nodeId);
  });
  cy.on('tap', (e) => {
    if (e.target !== cy) return;
    const v = target.overviewNodeAt(e.position);
    if (v?.stub) target.toggleStub(v.nodeId);
    else target.select(v ? v.nodeId : null);
  });
  // a big drawing's nodes outside Cytoscape answer the pointer through the overview's index
  let overviewHover: string | null = null;
  cy.on('mousemove', (e) => {
    if (!target.overviewDrawn() || e.target !== cy) return;
    const v = target.overviewNodeAt(e.position);
    const key = v && !v.stub ? v.key : null;
    if (key === overviewHover) return;
    overviewHover = key;
    target.hover(v && !v.stub ? v.nodeId : null);
  });
  cy.on('mouseover', 'node', (e) => {
    const v = target.viewNode(e.target.id() as string);
    if (v && !v.stub) target.hover(v.nodeId);
  });
  cy.on('mouseout', 'node', () => target.hover(null));
  // A node removed under the pointer never sends mouseout: leaving the canvas clears the hover too.
  container.addEventListener('pointerleave', () => target.hover(null));
}
