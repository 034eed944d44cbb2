import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, type LoadedModel } from '../../../src/main/engine/model/load-model';
import { inspectPath } from '../../../src/main/engine-process/inspect-path';
import { runSearch } from '../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../src/shared/strategies';
import { fixtureModel } from '../../helpers/fixtures';

const COT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../resources/models/ontology-cot');
const PROMPT = 'ned is a gaulkbus . question : is ned a flilkpus or a flaipus ?';

describe('inspector lens choice', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel(COT);
  });
  afterAll(async () => model?.release());

  it('reads a node through the tuned lens when the model ships one, and says which lenses exist', async () => {
    const config = resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 3 });
    const out = await runSearch({ model, prompt: PROMPT, config });
    const leaf = out.result.nBest[0]!.nodeId;
    const ids: number[] = [];
    for (let id: number | undefined = leaf; id !== undefined; id = out.tree.nodes[id]!.parents[0]) ids.unshift(id);
    const nodes = ids.map((id) => out.tree.nodes[id]!);
    const logit = await inspectPath(model, PROMPT, config, nodes, true, 'logit');
    const tuned = await inspectPath(model, PROMPT, config, nodes, true, 'tuned');
    expect(logit.availableLenses).toEqual(['logit', 'tuned']);
    expect(tuned.lens!.every((l) => l.lens === 'tuned')).toBe(true);
    expect(logit.lens!.every((l) => l.lens === undefined)).toBe(true);
    const last = logit.lens!.length - 1;
    // same final layer (identity), different earlier layers
    expect(tuned.lens![last]!.topk).toEqual(logit.lens![last]!.topk);
    expect(tuned.lens![1]!.klToFinal).toBeLessThan(logit.lens![1]!.klToFinal!);
  });

  it('gives no tuned readout for a model without one', async () => {
    const tiny = await fixtureModel('lab-tiny');
    const config = resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 2 });
    const out = await runSearch({ model: tiny, prompt: 'a b', config });
    const result = await inspectPath(tiny, 'a b', config, [out.tree.nodes[0]!], true, 'tuned');
    expect(result).toMatchObject({ lens: null, availableLenses: ['logit'] });
  });
});
