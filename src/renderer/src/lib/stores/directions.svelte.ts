import type { DirectionInfo } from '../../../../shared/lab-api';
import { lab } from './lab.svelte';

/** The open model's direction files (its directions/ folder), for the intervention pickers. */
class DirectionsState {
  list = $state<DirectionInfo[]>([]);
  /** the model folder the list belongs to */
  folder = $state('');
}

export const directions = new DirectionsState();

/** Reads the list again when the open model changed since the last read. */
export async function refreshDirections(): Promise<void> {
  const folder = lab.model?.folder ?? '';
  if (!lab.api || folder === directions.folder) return;
  directions.folder = folder;
  try {
    directions.list = folder ? await lab.api.request('listDirections', {}) : [];
  } catch {
    directions.list = [];
  }
}
