import { describe, expect, it } from 'vitest';
import { runSearch } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig, type StrategyConfig } from '../../../../src/shared/strategies';
import { buildExportFile, treeFromExport } from '../../../../src/main/engine/export/build-export';
import { parseExportFile } from '../../../../src/shared/export-validate';
import { parseStrategyAnalysis } from '../../../../src/shared/analysis';
import { fixtureModel } from '../../../helpers/fixtures';

const PROMPT = 'a b';

describe('exported lattices, trellises and thoughts', () => {
  it('pass the export validator and round-trip unchanged', async () => {
    const model = await fixtureModel('lab-bigram-tiny');
    const configs: StrategyConfig[] = [
      resolveStrategyConfig({
        strategy: 'bfs',
        topK: 4,
        topP: 1,
        width: 6,
        maxNewTokens: 4,
        merge: { kind: 'last-n', n: 1 },
      }),
      resolveStrategyConfig({
        strategy: 'bfs',
        topK: 3,
        width: 6,
        maxNewTokens: 3,
        merge: { kind: 'latent', tau: 0.99 },
      }),
      resolveStrategyConfig({ strategy: 'hmm', topK: 3, width: 8, maxNewTokens: 3, states: 3 }),
      resolveStrategyConfig({ strategy: 'latent', mode: 'mixture', thoughts: 2, maxNewTokens: 3 }),
      resolveStrategyConfig({
        strategy: 'latent',
        mode: 'hidden',
        thoughts: 2,
        maxNewTokens: 3,
        answer: { strategy: 'beam', numBeams: 2 },
      }),
    ];
    const runs = [];
    for (const [i, config] of configs.entries()) {
      const out = await runSearch({ model, prompt: PROMPT, config });
      runs.push({ id: `run-${i}`, config, stats: out.stats, result: out.result, tree: out.tree });
    }
    const file = buildExportFile(model.info, PROMPT, runs);
    const reread = parseExportFile(JSON.parse(JSON.stringify(file)));
    expect(reread).toEqual(file);
    // the BFS lattice keeps its merged states: extra parents on survivors, absorbed nodes pointing to them
    const lattice = reread.runs[0]!;
    expect(lattice.nodes.some((n) => n.parents.length > 1)).toBe(true);
    const merged = lattice.nodes.filter((n) => n.status === 'merged');
    expect(merged.length).toBe(lattice.stats.nodesMerged);
    expect(merged.length).toBeGreaterThan(0);
    const tree = treeFromExport(lattice);
    for (const m of merged) expect(tree.nodes[m.mergedInto!]!.parents).toContain(m.parents[0]);
    // each analysis validates with its own schema
    expect(parseStrategyAnalysis(reread.runs[0]!.result.analysis)?.kind).toBe('bfs-levels');
    const trellis = parseStrategyAnalysis(reread.runs[2]!.result.analysis);
    expect(trellis?.kind).toBe('hmm-trellis');
    expect(reread.runs[2]!.nodes.filter((n) => n.state !== undefined).length).toBeGreaterThan(0);
    for (const r of [3, 4]) {
      expect(parseStrategyAnalysis(reread.runs[r]!.result.analysis)?.kind).toBe('latent-thoughts');
      const thoughts = reread.runs[r]!.nodes.filter((n) => n.kind === 'thought');
      expect(thoughts).toHaveLength(2);
      for (const t of thoughts) {
        expect(t.tokenId).toBeNull();
        expect(t.latent).toBeDefined();
        expect(t.lens).toHaveLength(model.info.numLayers + 1);
      }
    }
  });
});
