import type { StylesheetJson } from 'cytoscape';

/**
 * Tree styles chosen for speed at 10,000 nodes (Cytoscape's performance guide): haystack edges, no
 * arrows, labels only when zoomed in far enough to read them (min-zoomed-font-size).
 */
export const treeStyle: StylesheetJson = [
  {
    selector: 'node',
    style: {
      width: 12,
      height: 12,
      'background-color': 'data(color)',
      'border-width': 0,
      label: 'data(label)',
      'font-size': 10,
      'min-zoomed-font-size': 7,
      'text-valign': 'center',
      'text-halign': 'right',
      'text-margin-x': 3,
      color: '#1f2430',
    },
  },
  { selector: 'node.prompt', style: { shape: 'round-rectangle', 'background-color': '#495057', width: 16, height: 16 } },
  { selector: 'node.thought', style: { shape: 'diamond', width: 16, height: 16 } },
  { selector: 'node.pruned', style: { opacity: 0.28 } },
  { selector: 'node.merged', style: { opacity: 0.45, shape: 'triangle' } },
  { selector: 'node.frontier', style: { 'border-width': 2, 'border-color': '#f76707' } },
  { selector: 'node.finished', style: { 'border-width': 2, 'border-color': '#1f2430', shape: 'round-rectangle' } },
  { selector: 'node.chosen', style: { width: 16, height: 16, 'border-width': 3, 'border-color': '#111', opacity: 1, 'font-weight': 'bold' } },
  { selector: 'node.hover', style: { 'underlay-color': '#fa5252', 'underlay-opacity': 0.45, 'underlay-padding': 5 } },
  { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#e03131', 'underlay-color': '#e03131', 'underlay-opacity': 0.25, 'underlay-padding': 6 } },
  {
    selector: 'edge',
    // edges are never clicked: skipping them in hit tests saves work on every pointer move
    style: { 'curve-style': 'haystack', 'haystack-radius': 0, width: 1, 'line-color': '#adb5bd', events: 'no' },
  },
  { selector: 'edge.pruned', style: { opacity: 0.35 } },
  { selector: 'edge.lattice', style: { 'curve-style': 'straight', 'line-color': '#7048e8', 'line-style': 'dashed', width: 1.5 } },
  { selector: 'edge.chosen', style: { width: 4, 'line-color': '#1f2430', opacity: 1 } },
  { selector: 'edge.hover', style: { width: 3, 'line-color': '#fa5252', opacity: 1 } },
];

/** The stylesheet without token labels: measuring 10,000 labels nobody can read costs as much as drawing the tree. */
export const treeStyleWithoutLabels: StylesheetJson = treeStyle.map((rule) => {
  if (!('style' in rule) || rule.selector !== 'node') return rule;
  const { label: _label, ...style } = rule.style as Record<string, unknown>;
  return { ...rule, style };
}) as StylesheetJson;
