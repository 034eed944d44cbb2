import type { ColorBy } from '../tree/color';

/** How the run views share the window: layout choices a researcher makes, not part of any run. */
class Workspace {
  /** what the node colours show in every view */
  colorBy = $state<ColorBy>('probability');
  /** the run shown alone, maximised (null: all runs in the grid) */
  focusRunId = $state<string | null>(null);
  /** smaller views: no best-text line or replay bar, more runs per row */
  compact = $state(false);
  /** runs of the same prompt pan and zoom together */
  syncViews = $state(false);
  /** the last pan/zoom a researcher made in some view (followed by the others when syncViews is on) */
  viewport = $state<{ runId: string; prompt: string; zoom: number; pan: { x: number; y: number } } | null>(null);
  setupOpen = $state(true);
  inspectorOpen = $state(true);
}

export const workspace = new Workspace();
