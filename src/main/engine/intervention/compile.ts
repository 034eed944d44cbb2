import type { LoadedModel } from '../model/load-model';
import type { ModelInfo } from '../../../shared/model';
import { InterventionSpecSchema, type DirectionFile, type InterventionInput } from '../../../shared/intervention';
import { DirectionError, readDirectionFile } from './direction-file';

/** The graph inputs a run feeds: [layers × hidden] each, absent when nothing is applied. */
export interface ResidualInputs {
  residualDelta?: Float32Array;
  residualAblate?: Float32Array;
}

/** Refuses a direction measured on another model or another width, before any step runs. */
export function checkDirectionFits(
  info: Pick<ModelInfo, 'name' | 'hiddenSize' | 'numLayers'>,
  direction: DirectionFile,
  source: string,
): void {
  const { name, hiddenSize, numLayers } = info;
  if (direction.model !== name) {
    throw new DirectionError(`${source} was made on model "${direction.model}", not "${name}"`);
  }
  if (direction.hiddenSize !== hiddenSize) {
    throw new DirectionError(
      `${source} has width ${direction.hiddenSize}; ${name}'s residual stream has width ${hiddenSize ?? 'unknown'}`,
    );
  }
  for (const layer of Object.keys(direction.layers).map(Number)) {
    if (layer > numLayers) throw new DirectionError(`${source} has layer ${layer}; ${name} has ${numLayers} layers`);
  }
}

/**
 * Turns interventions into the lab graph's residual_delta / residual_ablate inputs. `directions` may supply
 * already-read files by path (the app holds them); otherwise each file is read here.
 */
export function compileInterventions(
  model: LoadedModel,
  inputs: InterventionInput[],
  directions: Map<string, DirectionFile> = new Map(),
): ResidualInputs {
  const specs = inputs.map((s) => InterventionSpecSchema.parse(s));
  if (specs.length === 0) return {};
  const { numLayers, name, capabilities } = model.info;
  const hidden = model.info.hiddenSize ?? 0;
  const out: ResidualInputs = {};
  const ablated = new Set<number>();
  for (const spec of specs) {
    if (spec.kind === 'steer' && !capabilities.residualDelta) {
      throw new DirectionError(`steering is not supported by this graph: ${name} has no residual_delta input`);
    }
    if (spec.kind === 'ablate' && !capabilities.ablation) {
      throw new DirectionError(`ablation is not supported by this graph: ${name} has no residual_ablate input`);
    }
    const direction = directions.get(spec.direction) ?? readDirectionFile(spec.direction);
    checkDirectionFits(model.info, direction, spec.direction);
    const available = Object.keys(direction.layers)
      .map(Number)
      .sort((a, b) => a - b);
    const layers = spec.layers ?? available;
    for (const layer of layers) {
      const vector = direction.layers[String(layer)];
      if (!vector)
        throw new DirectionError(`${spec.direction} has no vector for layer ${layer} (it has ${available.join(', ')})`);
      const at = (layer - 1) * hidden;
      if (spec.kind === 'steer') {
        out.residualDelta ??= new Float32Array(numLayers * hidden);
        for (let j = 0; j < hidden; j++) out.residualDelta[at + j]! += spec.scale * vector[j]!;
      } else {
        if (ablated.has(layer))
          throw new DirectionError(`two ablations at layer ${layer}: the graph removes one direction per layer`);
        ablated.add(layer);
        const norm = Math.hypot(...vector);
        if (!(norm > 0))
          throw new DirectionError(
            `${spec.direction}: the layer ${layer} vector is zero, it has no direction to remove`,
          );
        out.residualAblate ??= new Float32Array(numLayers * hidden);
        for (let j = 0; j < hidden; j++) out.residualAblate[at + j] = vector[j]! / norm;
      }
    }
  }
  return out;
}
