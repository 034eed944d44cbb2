import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelInfo } from '../../shared/model';
import type { DirectionInfo } from '../../shared/lab-api';
import { LabRequestError } from '../../shared/lab-api';
import type { InterventionSpec } from '../../shared/intervention';
import { DirectionError, readDirectionFile } from '../engine/intervention/direction-file';
import { checkDirectionFits } from '../engine/intervention/compile';

/** Direction files a model folder ships, next to its graph. The app names them; it never passes paths. */
export function directionsFolder(modelFolder: string): string {
  return path.join(modelFolder, 'directions');
}

const FILE_NAME = /^[\w.-]+\.json$/;

export function listDirections(modelFolder: string): DirectionInfo[] {
  const dir = directionsFolder(modelFolder);
  if (!fs.existsSync(dir)) return [];
  const out: DirectionInfo[] = [];
  for (const name of fs
    .readdirSync(dir)
    .filter((f) => FILE_NAME.test(f))
    .sort()) {
    try {
      const d = readDirectionFile(path.join(dir, name));
      const layers = Object.keys(d.layers)
        .map(Number)
        .sort((a, b) => a - b);
      out.push({
        name,
        model: d.model,
        hiddenSize: d.hiddenSize,
        layers,
        note: d.note,
        norms: layers.map((l) => Math.hypot(...d.layers[String(l)]!)),
      });
    } catch {
      // a file that is not a direction is not offered
    }
  }
  return out;
}

/**
 * An intervention as the app names it (a file of the model's directions/ folder), checked against the open model
 * and resolved to the file's path for the engine.
 */
export function resolveIntervention(model: ModelInfo, spec: InterventionSpec): InterventionSpec {
  if (!FILE_NAME.test(spec.direction))
    throw new LabRequestError(
      `direction "${spec.direction}" must be a file name of ${model.name}'s directions/ folder`,
    );
  const file = path.join(directionsFolder(model.folder), spec.direction);
  if (!fs.existsSync(file)) throw new LabRequestError(`${model.name} has no direction ${spec.direction}`);
  const needed = spec.kind === 'steer' ? model.capabilities.residualDelta : model.capabilities.ablation;
  if (!needed) {
    throw new LabRequestError(
      `${spec.kind === 'steer' ? 'steering' : 'ablation'} is not supported by this graph: ${model.name} has no ${spec.kind === 'steer' ? 'residual_delta' : 'residual_ablate'} input`,
    );
  }
  try {
    const direction = readDirectionFile(file);
    checkDirectionFits(model, direction, spec.direction);
    const missing = (spec.layers ?? []).filter((l) => !direction.layers[String(l)]);
    if (missing.length > 0) throw new DirectionError(`${spec.direction} has no vector for layer ${missing.join(', ')}`);
  } catch (err) {
    if (err instanceof DirectionError) throw new LabRequestError(err.message);
    throw err;
  }
  return { ...spec, direction: file };
}
