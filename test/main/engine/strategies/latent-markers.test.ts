import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModel } from '../../../../src/main/engine/model/load-model';
import { runSearch } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import { fixturePath } from '../../../helpers/fixtures';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-markers-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** lab-tiny, declared as a Coconut-style model whose thoughts sit between the tokens "f" and "g". */
async function markedModel() {
  const dir = path.join(scratch, 'marked');
  fs.cpSync(fixturePath('lab-tiny'), dir, { recursive: true });
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  config.lattice_lab.thoughts = { begin_token: 'f', end_token: 'g', count: 2, mode: 'hidden' };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return loadModel(dir);
}

describe('latent exploration with thought markers', () => {
  it('brackets the thoughts with the model’s begin/end tokens before decoding the answer', async () => {
    const model = await markedModel();
    const out = await runSearch({
      model,
      prompt: 'a b',
      config: resolveStrategyConfig({ strategy: 'latent', mode: 'hidden', thoughts: 2, maxNewTokens: 3 }),
    });
    const best = out.result.nBest[0]!;
    const path = [];
    for (let id: number | undefined = best.nodeId; id !== undefined; id = out.tree.nodes[id]!.parents[0])
      path.unshift(out.tree.nodes[id]!);
    expect(path.map((n) => (n.kind === 'token' ? n.text : n.kind)).slice(0, 5)).toEqual([
      'prompt',
      'f',
      'thought',
      'thought',
      'g',
    ]);
    expect(best.tokenIds.slice(0, 2)).toEqual([model.tokenizer.tokenId('f'), model.tokenizer.tokenId('g')]);
    await model.release();
  });

  it('a model without markers goes straight from the prompt to its thoughts', async () => {
    const model = await loadModel(fixturePath('lab-tiny'));
    const out = await runSearch({
      model,
      prompt: 'a b',
      config: resolveStrategyConfig({ strategy: 'latent', mode: 'hidden', thoughts: 2, maxNewTokens: 2 }),
    });
    const children = Object.values(out.tree.nodes).filter((n) => n.parents[0] === 0);
    expect(children.map((n) => n.kind)).toEqual(['thought']);
    await model.release();
  });
});
