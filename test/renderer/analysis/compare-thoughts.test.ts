import { describe, expect, it } from 'vitest';
import { compareRow, exportConflict, groupByPrompt } from '../../../src/renderer/src/lib/analysis/compare-rows';
import { lensHeatmap, thoughtViews } from '../../../src/renderer/src/lib/analysis/thought-strip';
import type { RunSummary } from '../../../src/shared/lab-api';
import { resolveStrategyConfig } from '../../../src/shared/strategies';
import type { TreeNode, TreeState } from '../../../src/shared/tree';

const run = (
  runId: string,
  prompt: string,
  strategy: object,
  best?: { score: number; logprob: number; tokens: number; eos: boolean },
  taskIndex?: number,
): RunSummary => ({
  runId,
  label: runId,
  prompt,
  config: resolveStrategyConfig(strategy),
  state: 'done',
  model: 'm',
  ...(taskIndex !== undefined ? { task: { index: taskIndex, prompt, options: [], answer: 'x' } } : {}),
  ...(best
    ? {
        result: {
          bestText: 't',
          bestScore: best.score,
          cancelled: false,
          nBest: [
            {
              nodeId: 1,
              text: 't',
              tokenIds: Array(best.tokens).fill(3),
              score: best.score,
              logprob: best.logprob,
              endedWithEos: best.eos,
            },
          ],
        },
      }
    : {}),
});

describe('comparison rows', () => {
  it("keep path log-prob and the strategy's own score apart, named; flag a text cut at the limit", () => {
    const beam = compareRow(
      run('b', 'p', { strategy: 'beam', maxNewTokens: 8 }, { score: -0.03, logprob: -1.01, tokens: 8, eos: false }),
    );
    expect(beam).toMatchObject({ pathLogprob: -1.01, ownScore: -0.03, length: 8, stoppedAtLimit: true });
    expect(beam.scoreName).toMatch(/length\^1/);
    const greedy = compareRow(
      run('g', 'p', { strategy: 'greedy', maxNewTokens: 8 }, { score: -1.01, logprob: -1.01, tokens: 5, eos: true }),
    );
    expect(greedy).toMatchObject({
      pathLogprob: -1.01,
      ownScore: -1.01,
      length: 5,
      stoppedAtLimit: false,
      scoreName: 'log-prob',
    });
    expect(compareRow(run('f', 'p', { strategy: 'greedy' }))).toMatchObject({
      pathLogprob: null,
      length: null,
      stoppedAtLimit: false,
    });
  });

  it('group runs by prompt in order of appearance, with the task index when all share it', () => {
    const groups = groupByPrompt([
      run('1', 'a', { strategy: 'greedy' }, undefined, 3),
      run('2', 'b', { strategy: 'greedy' }),
      run('3', 'a', { strategy: 'beam' }, undefined, 3),
    ]);
    expect(groups.map((g) => [g.prompt, g.taskIndex, g.rows.map((r) => r.run.runId)])).toEqual([
      ['a', 3, ['1', '3']],
      ['b', null, ['2']],
    ]);
  });

  it('name the runs to untick when the ticked runs have different prompts', () => {
    expect(exportConflict([run('1', 'a', { strategy: 'greedy' }), run('2', 'a', { strategy: 'beam' })])).toBeNull();
    const message = exportConflict([
      run('1', 'a', { strategy: 'greedy' }),
      run('2', 'b', { strategy: 'beam' }),
      run('3', 'a', { strategy: 'beam' }),
    ]);
    expect(message).toMatch(/^One comparison file holds one prompt: untick "2" to export the 2 runs of prompt "a"/);
  });
});

const node = (id: number, kind: TreeNode['kind'], extra: Partial<TreeNode> = {}): TreeNode => ({
  id,
  parents: id === 0 ? [] : [id - 1],
  kind,
  tokenId: null,
  text: '',
  logprob: 0,
  score: 0,
  depth: id,
  status: 'expanded',
  ...extra,
});

describe('thought strip', () => {
  it("marks each thought's tokens big or not and on or off the true frontier of step index + 1", () => {
    const readout = (pairs: [string, number][]) => ({
      mode: 'hidden' as const,
      topk: pairs.map(([text, p], i) => ({ tokenId: i, text, logprob: Math.log(p) })),
      bigLogits: pairs.filter(([, p]) => p >= 0.1).length,
      bigMass: pairs.filter(([, p]) => p >= 0.1).reduce((s, [, p]) => s + p, 0),
      bigLogitThreshold: 0.1,
      entropy: 1.5,
    });
    const tree: TreeState = {
      rootId: 0,
      order: [0, 1, 2, 3],
      nodes: {
        0: node(0, 'prompt'),
        1: node(1, 'thought', {
          latent: readout([
            ['wumpus', 0.5],
            ['yumpus', 0.3],
            ['.', 0.05],
          ]),
          lens: [
            { layer: 1, topk: [{ tokenId: 1, text: 'b', logprob: Math.log(0.4) }], entropy: 2 },
            { layer: 0, topk: [{ tokenId: 0, text: 'a', logprob: Math.log(0.6) }], entropy: 1 },
          ],
        }),
        2: node(2, 'thought', { latent: readout([['gerpus', 0.9]]) }),
        3: node(3, 'token', { tokenId: 5, text: 'answer' }),
      },
    };
    const views = thoughtViews(tree, null, [['start'], ['wumpus', 'zorpus'], ['gerpus']]);
    expect(views).toHaveLength(2);
    expect(views[0]!.bars.map((b) => [b.text, b.big, b.onFrontier])).toEqual([
      ['wumpus', true, true],
      ['yumpus', true, false],
      ['.', false, false],
    ]);
    expect(views[0]!.frontierHit).toEqual(['wumpus']);
    expect(views[0]!.frontierMissed).toEqual(['zorpus']);
    expect(views[1]!.frontierHit).toEqual(['gerpus']);
    expect(views[0]!.lens!.tokens).toEqual(['a', 'b']);
    expect(views[0]!.lens!.rows.map((r) => r.layer)).toEqual([0, 1]);
    expect(views[0]!.lens!.rows[0]!.probs[0]).toBeCloseTo(0.6, 12);
    expect(views[0]!.lens!.rows[0]!.probs[1]).toBeNull();
    expect(views[1]!.lens).toBeNull();
    // without ground truth nothing is marked
    expect(thoughtViews(tree, null, null)[0]!.bars[0]!.onFrontier).toBeNull();
  });

  it("keeps the lens's best tokens when there are more than fit", () => {
    const lens = [
      {
        layer: 0,
        entropy: 1,
        topk: ['a', 'b', 'c'].map((t, i) => ({ tokenId: i, text: t, logprob: Math.log(0.3 - i * 0.1) })),
      },
    ];
    expect(lensHeatmap(lens, 2).tokens).toEqual(['a', 'b']);
  });
});
