import type { Core } from 'cytoscape';

/** Lights up a set of hypotheses in a tree drawing (an HMM state hovered in the trellis); an empty list clears. */
export function lightNodes(cy: Core, nodeIds: readonly number[]): void {
  cy.batch(() => {
    cy.nodes('.lit').removeClass('lit');
    for (const id of nodeIds) cy.getElementById(`n${id}`).addClass('lit');
  });
}

/** The style of lit nodes, added to a drawing's stylesheet once. */
export function addLitStyle(cy: Core): void {
  cy.style()
    .selector('node.lit')
    .style({ 'underlay-color': '#1c7ed6', 'underlay-opacity': 0.5, 'underlay-padding': 6 })
    .update();
}
