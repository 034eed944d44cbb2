import type { LoadedModel } from '../engine/model/load-model';
import { InterventionSpecSchema, describeIntervention, type InterventionSpec } from '../../shared/intervention';
import { compileInterventions, type ResidualInputs } from '../engine/intervention/compile';
import { UsageError } from './strategy-args';

/** The flags every running command takes for interventions (parseArgs option shapes). */
export const STEER_OPTIONS = {
  steer: { type: 'string' },
  ablate: { type: 'string' },
  scale: { type: 'string' },
  layers: { type: 'string' },
} as const;

export interface CliIntervention {
  specs: InterventionSpec[];
  inputs: ResidualInputs;
  label: string;
}

function parseLayers(raw: string): number[] {
  const layers = raw.split(',').map((s) => Number(s.trim()));
  if (layers.some((l) => !Number.isInteger(l) || l < 1))
    throw new UsageError(`--layers takes 1-based layer numbers like 2,3 (got "${raw}")`);
  return layers;
}

/**
 * --steer FILE [--scale A] and/or --ablate FILE, both restricted by --layers L1,L2; null when neither is given.
 * The direction is checked against the model here, before any run starts.
 */
export function interventionFromFlags(model: LoadedModel, flags: Record<string, unknown>): CliIntervention | null {
  const steer = flags.steer as string | undefined;
  const ablate = flags.ablate as string | undefined;
  if (steer === undefined && ablate === undefined) {
    if (flags.scale !== undefined || flags.layers !== undefined)
      throw new UsageError('--scale and --layers need --steer FILE or --ablate FILE');
    return null;
  }
  const scale = flags.scale === undefined ? 1 : Number(flags.scale);
  if (!Number.isFinite(scale)) throw new UsageError(`--scale must be a number (got "${String(flags.scale)}")`);
  const layers = flags.layers === undefined ? undefined : parseLayers(String(flags.layers));
  const specs: InterventionSpec[] = [];
  if (steer !== undefined) specs.push(InterventionSpecSchema.parse({ kind: 'steer', direction: steer, scale, layers }));
  if (ablate !== undefined) specs.push(InterventionSpecSchema.parse({ kind: 'ablate', direction: ablate, layers }));
  return { specs, inputs: compileInterventions(model, specs), label: specs.map(describeIntervention).join(' + ') };
}
