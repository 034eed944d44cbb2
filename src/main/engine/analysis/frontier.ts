import type { LoadedModel } from '../model/load-model';
import type { TaskFiles, TaskRecord, Ontology } from '../task/task-files';
import { Evaluator, type Lineage, type NodeEvaluation, type NodeInput } from '../runtime/evaluator';
import { encodePrompt } from '../search/run-search';
import { thoughtMarkers } from '../strategies/latent';
import { klDivergence, lensDistributions, type LensKind, type TunedLens } from '../lens/tuned-lens';
import type { FrontierLayerRow, FrontierReport, FrontierRow, FrontierStep } from '../../../shared/analysis';

/**
 * Coconut's latent-search analysis (Hao et al., 2024, section 5): switch the model to language after k continuous
 * thoughts (force `<eot>`), teacher-force the "every" that opens the next fact, and read the probability the model
 * gives each concept as that fact's subject X: the value of a frontier node. For a chain-of-facts model the matching
 * position is after the first k facts of the gold chain, written out. Every residual stream can be read through the
 * logit lens (and a tuned lens) at the same position.
 */

/** Longest path from each concept down to a leaf (0 for a leaf). */
export function conceptHeights(ontology: Ontology): Map<string, number> {
  const children = new Map<string, string[]>();
  for (const key of ontology.edges) {
    const [from, to] = key.split('>') as [string, string];
    const list = children.get(from);
    if (list) list.push(to);
    else children.set(from, [to]);
  }
  const height = new Map<string, number>();
  const visit = (c: string): number => {
    const known = height.get(c);
    if (known !== undefined) return known;
    const h = Math.max(-1, ...(children.get(c) ?? []).map(visit)) + 1;
    height.set(c, h);
    return h;
  };
  for (const c of ontology.concepts) visit(c);
  return height;
}

/** The concept-token vocabulary: concept word → token id (every concept is one whole-word token). */
export function conceptTokens(model: LoadedModel, ontology: Ontology): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of ontology.concepts) {
    const id = model.tokenizer.tokenId(c);
    if (id === undefined) throw new Error(`${model.info.name}: the concept ${c} is not a single token`);
    out.set(c, id);
  }
  return out;
}

/** Scores one readout (next-token log-probabilities at the subject position) against the frontier after k steps. */
export function frontierStep(
  k: number,
  logprobs: ArrayLike<number>,
  record: TaskRecord,
  tokens: ReadonlyMap<string, number>,
  heights: ReadonlyMap<string, number>,
): FrontierStep {
  const step = record.steps[k]!;
  const onPath = new Set(step.on_path);
  const value = (c: string) => Math.exp(logprobs[tokens.get(c)!]!);
  const frontier = step.frontier.map((concept) => ({
    concept,
    value: value(concept),
    onPath: onPath.has(concept),
    height: heights.get(concept) ?? 0,
  }));
  const frontierMass = frontier.reduce((s, f) => s + f.value, 0);
  const onPathMass = frontier.filter((f) => f.onPath).reduce((s, f) => s + f.value, 0);
  const ranked = [...tokens.keys()].map((c) => ({ c, v: value(c) })).sort((a, b) => b.v - a.v || (a.c < b.c ? -1 : 1));
  const top = new Set(ranked.slice(0, frontier.length).map((r) => r.c));
  const sorted = frontier.map((f) => f.value).sort((a, b) => b - a);
  const cumulative = [1, 2, 3].map((n) => sorted.slice(0, n).reduce((s, v) => s + v, 0));
  return {
    k,
    frontierMass,
    onPathMass,
    offPathMass: frontierMass - onPathMass,
    conceptMass: ranked.reduce((s, r) => s + r.v, 0),
    recall: frontier.filter((f) => top.has(f.concept)).length / Math.max(1, frontier.length),
    topCumulative: cumulative,
    frontier,
  };
}

/** The distributions read at the subject position after k thoughts or facts: per lens, per residual stream. */
export interface SubjectReadout {
  k: number;
  /** the model's own next-token log-probabilities */
  output: Float64Array;
  /** per lens: per stream (0 = input embedding … last = final layer) */
  layers: Partial<Record<LensKind, Float64Array[]>>;
}

/** A chain of nodes the evaluator can walk: each node's parent and input, kept here rather than in a tree. */
class ProbeLineage implements Lineage {
  private readonly nodes: { parent: number | null; input: NodeInput }[] = [];
  add(parent: number | null, input: NodeInput): number {
    this.nodes.push({ parent, input });
    return this.nodes.length - 1;
  }
  parentOf(id: number): number | null {
    return this.nodes[id]!.parent;
  }
  inputOf(id: number): NodeInput {
    return this.nodes[id]!.input;
  }
}

export interface ProbeOptions {
  /** read every residual stream through the logit lens (and the tuned lens when given) */
  layers?: boolean;
  tuned?: TunedLens | null;
  /** thought counts / fact counts to probe (default 0 .. the model's thought count, or 0 .. hops − 1) */
  ks?: number[];
}

/** Whether the model reasons in continuous thoughts (declares its markers) or writes its facts in language. */
export function frontierMode(model: LoadedModel): 'latent' | 'language' {
  return thoughtMarkers(model) ? 'latent' : 'language';
}

/**
 * The readouts at the subject of fact k + 1 for every k < hops of one question. Latent models: prompt + `<bot>`, k
 * thoughts (each fed the previous position's final hidden state), then `<eot>` "every" as forced tokens. Language
 * models: prompt + the first k facts of the gold chain + "every".
 */
export async function probeSubjects(
  model: LoadedModel,
  record: TaskRecord,
  options: ProbeOptions = {},
): Promise<SubjectReadout[]> {
  const every = model.tokenizer.tokenId('every');
  if (every === undefined) throw new Error(`${model.info.name} has no token "every": not a model of the ontology task`);
  const markers = thoughtMarkers(model);
  const wanted = (
    options.ks ??
    Array.from({ length: (markers ? (model.config.lab?.thoughts?.count ?? 6) : record.hops - 1) + 1 }, (_, k) => k)
  ).filter((k) => k < record.hops);
  const lineage = new ProbeLineage();
  const evaluator = new Evaluator(model, lineage);
  const withLayers = options.layers === true && model.lens !== null && model.info.capabilities.hiddenStates;
  const promptIds = encodePrompt(model, record.prompt);
  const out: SubjectReadout[] = [];
  const read = async (parent: number, tokens: number[], k: number) => {
    const node = lineage.add(parent, { tokens });
    const [evaluation] = await evaluator.evaluate([node], { hiddenStates: withLayers });
    const readout: SubjectReadout = { k, output: evaluation!.logprobs, layers: {} };
    if (withLayers) {
      readout.layers.logit = await lensDistributions(model, evaluation!.hiddenStates!);
      if (options.tuned)
        readout.layers.tuned = await lensDistributions(model, evaluation!.hiddenStates!, options.tuned);
    }
    out.push(readout);
  };
  try {
    if (markers) {
      let current = lineage.add(null, { tokens: [...promptIds, markers.begin] });
      let [previous]: (NodeEvaluation | undefined)[] = await evaluator.evaluate([current]);
      const last = Math.max(-1, ...wanted);
      for (let k = 0; k <= last; k++) {
        if (wanted.includes(k)) await read(current, [markers.end, every], k);
        if (k === last) break;
        if (!previous!.lastHidden) throw new Error(`${model.info.name} returned no last_hidden_state`);
        current = lineage.add(current, { embeddings: [previous!.lastHidden] });
        [previous] = await evaluator.evaluate([current]);
      }
    } else {
      const root = lineage.add(null, { tokens: promptIds });
      const facts = record.target.split(/\s+/).filter((w) => w !== '');
      for (const k of wanted) {
        const written = k === 0 ? [] : model.tokenizer.encode(facts.slice(0, 6 * k).join(' '), false);
        await read(root, [...written, every], k);
      }
    }
  } finally {
    evaluator.cache.clear();
  }
  return out;
}

/** Pearson correlation of pairs, null when either side has no variance. */
export function pearson(pairs: readonly [number, number][]): number | null {
  const n = pairs.length;
  if (n < 2) return null;
  const mx = pairs.reduce((s, p) => s + p[0], 0) / n;
  const my = pairs.reduce((s, p) => s + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** One question's frontier values at the model's output after k = 0 .. maxK thoughts (k < hops), in its own passes. */
export async function frontierValuesOf(
  model: LoadedModel,
  record: TaskRecord,
  ontology: Ontology,
  maxK: number,
): Promise<FrontierStep[]> {
  const tokens = conceptTokens(model, ontology);
  const heights = conceptHeights(ontology);
  const readouts = await probeSubjects(model, record, { ks: Array.from({ length: maxK + 1 }, (_, k) => k) });
  return readouts.map((r) => frontierStep(r.k, r.output, record, tokens, heights));
}

/** Means per k over questions (the model's output), and per k and stream for each lens. */
export function aggregateFrontier(
  steps: readonly FrontierStep[],
  layerSteps: Partial<Record<LensKind, { k: number; layer: number; step: FrontierStep; kl: number }[]>>,
): { rows: FrontierRow[]; layers: Partial<Record<LensKind, FrontierLayerRow[]>> } {
  const ks = [...new Set(steps.map((s) => s.k))].sort((a, b) => a - b);
  const rows = ks.map((k): FrontierRow => {
    const at = steps.filter((s) => s.k === k);
    const heights = new Map<number, { nodes: number; sum: number }>();
    for (const s of at) {
      for (const f of s.frontier) {
        const h = heights.get(f.height) ?? { nodes: 0, sum: 0 };
        h.nodes++;
        h.sum += f.value;
        heights.set(f.height, h);
      }
    }
    return {
      k,
      questions: at.length,
      frontierSize: mean(at.map((s) => s.frontier.length)),
      frontierMass: mean(at.map((s) => s.frontierMass)),
      onPathMass: mean(at.map((s) => s.onPathMass)),
      offPathMass: mean(at.map((s) => s.offPathMass)),
      conceptMass: mean(at.map((s) => s.conceptMass)),
      recall: mean(at.map((s) => s.recall)),
      topCumulative: [0, 1, 2].map((i) => mean(at.map((s) => s.topCumulative[i]!))),
      heightCorrelation: pearson(at.flatMap((s) => s.frontier.map((f) => [f.height, f.value] as [number, number]))),
      byHeight: [...heights.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([height, h]) => ({ height, nodes: h.nodes, value: h.sum / h.nodes })),
    };
  });
  const layers: Partial<Record<LensKind, FrontierLayerRow[]>> = {};
  for (const [lens, list] of Object.entries(layerSteps) as [
    LensKind,
    { k: number; layer: number; step: FrontierStep; kl: number }[],
  ][]) {
    const keys = [...new Set(list.map((x) => `${x.k}:${x.layer}`))];
    layers[lens] = keys
      .map((key) => {
        const [k, layer] = key.split(':').map(Number) as [number, number];
        const at = list.filter((x) => x.k === k && x.layer === layer);
        return {
          k,
          layer,
          frontierMass: mean(at.map((x) => x.step.frontierMass)),
          recall: mean(at.map((x) => x.step.recall)),
          klToFinal: mean(at.map((x) => x.kl)),
        };
      })
      .sort((a, b) => a.k - b.k || a.layer - b.layer);
  }
  return { rows, layers };
}

/** The latent-search analysis over the first `limit` test questions. */
export async function frontierReport(
  model: LoadedModel,
  files: TaskFiles,
  options: {
    limit?: number;
    layers?: boolean;
    tuned?: TunedLens | null;
    onQuestion?: (done: number, total: number) => void;
  } = {},
): Promise<FrontierReport> {
  const records = files.test.slice(0, options.limit ?? files.test.length);
  const tokens = conceptTokens(model, files.ontology);
  const heights = conceptHeights(files.ontology);
  const steps: FrontierStep[] = [];
  const layerSteps: Partial<Record<LensKind, { k: number; layer: number; step: FrontierStep; kl: number }[]>> = {};
  for (const [i, record] of records.entries()) {
    for (const readout of await probeSubjects(model, record, { layers: options.layers, tuned: options.tuned })) {
      steps.push(frontierStep(readout.k, readout.output, record, tokens, heights));
      for (const [lens, streams] of Object.entries(readout.layers) as [LensKind, Float64Array[]][]) {
        const list = (layerSteps[lens] ??= []);
        streams.forEach((lp, layer) =>
          list.push({
            k: readout.k,
            layer,
            step: frontierStep(readout.k, lp, record, tokens, heights),
            kl: klDivergence(readout.output, lp),
          }),
        );
      }
    }
    options.onQuestion?.(i + 1, records.length);
  }
  const { rows, layers } = aggregateFrontier(steps, layerSteps);
  return {
    kind: 'frontier',
    model: model.info.name,
    mode: frontierMode(model),
    questions: records.length,
    rows,
    layers,
  };
}
