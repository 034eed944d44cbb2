import type { StylesheetJson } from 'cytoscape';

/** Token labels are drawn at this size and vanish below `LABEL_MIN_SCREEN` px on screen. */
export const LABEL_FONT = 11;
const LABEL_MIN_SCREEN = 7;
/** the lowest zoom at which labels are drawn (what Fit keeps for trees small enough to read) */
export const LEGIBLE_ZOOM = LABEL_MIN_SCREEN / LABEL_FONT + 0.02;

/**
 * Tree styles, chosen for reading and for speed at 10,000 nodes (Cytoscape's performance guide):
 * haystack edges, no arrows, labels only when zoomed in far enough to read them. Labels sit above their
 * node, so the chosen-path line (drawn through node centres) never strikes them. Every node has a dark
 * outline: the colour ramp ends in yellow, which alone would vanish on white.
 */
export const treeStyle: StylesheetJson = [
  {
    selector: 'node',
    style: {
      width: 12,
      height: 12,
      'background-color': 'data(color)',
      'border-width': 1,
      'border-color': '#343a40',
      label: 'data(label)',
      'font-size': LABEL_FONT,
      'min-zoomed-font-size': LABEL_MIN_SCREEN,
      'text-valign': 'top',
      'text-halign': 'center',
      'text-margin-y': -2,
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.75,
      'text-background-padding': '1px',
      color: '#1f2430',
    },
  },
  {
    selector: 'node.prompt',
    style: { shape: 'round-rectangle', 'background-color': '#495057', width: 16, height: 16 },
  },
  { selector: 'node.thought', style: { shape: 'diamond', width: 16, height: 16 } },
  { selector: 'node.pruned', style: { opacity: 0.4 } },
  { selector: 'node.merged', style: { opacity: 0.5, shape: 'triangle' } },
  { selector: 'node.frontier', style: { 'border-width': 2, 'border-color': '#f76707' } },
  { selector: 'node.finished', style: { 'border-width': 2, 'border-color': '#1f2430', shape: 'round-rectangle' } },
  {
    selector: 'node.collapsed',
    style: { 'border-width': 3, 'border-style': 'double', 'border-color': '#1f2430', width: 16, height: 16 },
  },
  {
    selector: 'node.stub',
    style: {
      shape: 'round-rectangle',
      width: 10,
      height: 10,
      'border-color': '#868e96',
      color: '#495057',
      'font-style': 'italic',
      'text-valign': 'center',
      'text-halign': 'right',
      'text-margin-x': 3,
      'text-margin-y': 0,
    },
  },
  // grown under an intervention (a fork): teal-rimmed hexagons on teal edges, beside their unsteered siblings
  {
    selector: 'node.steered',
    style: { shape: 'hexagon', width: 15, height: 15, 'border-width': 3, 'border-color': '#0ca678' },
  },
  {
    selector: 'node.chosen',
    style: { width: 16, height: 16, 'border-width': 3, 'border-color': '#111', opacity: 1, 'font-weight': 'bold' },
  },
  { selector: 'node.hover', style: { 'underlay-color': '#fa5252', 'underlay-opacity': 0.45, 'underlay-padding': 5 } },
  {
    selector: 'node:selected',
    style: {
      'border-width': 3,
      'border-color': '#c2255c',
      'underlay-color': '#c2255c',
      'underlay-opacity': 0.25,
      'underlay-padding': 6,
    },
  },
  {
    selector: 'edge',
    // edges are never clicked: skipping them in hit tests saves work on every pointer move
    style: { 'curve-style': 'haystack', 'haystack-radius': 0, width: 1, 'line-color': '#adb5bd', events: 'no' },
  },
  { selector: 'edge.pruned', style: { opacity: 0.5 } },
  { selector: 'edge.stub', style: { 'line-style': 'dotted', 'line-color': '#868e96' } },
  {
    selector: 'edge.lattice',
    style: { 'curve-style': 'straight', 'line-color': '#7048e8', 'line-style': 'dashed', width: 1.5 },
  },
  { selector: 'edge.chosen', style: { width: 3, 'line-color': '#1f2430', opacity: 1 } },
  { selector: 'edge.steered', style: { 'line-color': '#0ca678', 'target-arrow-color': '#0ca678' } },
  { selector: 'edge.hover', style: { width: 3, 'line-color': '#fa5252', opacity: 1 } },
];
