import * as path from 'node:path';
import type { LoadedModel } from '../src/main/engine/model/load-model';
import { encodePrompt, runSearch } from '../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../src/shared/strategies';
import { withoutEos } from './engine';
import { median, type Measured } from './measure';

/**
 * transformers.js greedy `generate` on the same Hugging Face-layout folder (local files only, the engine's session
 * options), interleaved with the engine's greedy: a second anchor besides the raw loop, the few lines of code a
 * researcher would otherwise write. Generated tokens per second; EOS cannot end either run early.
 */
export async function benchTransformersJs(
  loaded: LoadedModel,
  prompt: string,
  maxNewTokens: number,
  repeats: number,
): Promise<Measured[]> {
  if (loaded.info.convention !== 'hf' || loaded.info.graphFile !== 'onnx/model.onnx') return [];
  const { env, AutoModelForCausalLM, Tensor } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = path.dirname(loaded.info.folder) + path.sep;
  const hf = await AutoModelForCausalLM.from_pretrained(path.basename(loaded.info.folder), {
    local_files_only: true,
    dtype: 'fp32',
    device: 'cpu',
    session_options: loaded.sessionOptions,
  } as Parameters<typeof AutoModelForCausalLM.from_pretrained>[1]);
  const model = withoutEos(loaded);
  const ids = encodePrompt(model, prompt);
  const input_ids = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]);
  const attention_mask = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
  const config = resolveStrategyConfig({ strategy: 'greedy', maxNewTokens, topkShown: 0 });
  const generate = async () => {
    const started = performance.now();
    await hf.generate({
      input_ids,
      attention_mask,
      max_new_tokens: maxNewTokens,
      min_new_tokens: maxNewTokens,
      do_sample: false,
    } as never);
    return maxNewTokens / ((performance.now() - started) / 1000);
  };
  await generate();
  const engineRates: number[] = [];
  const hfRates: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const engine = await runSearch({ model, prompt, config });
    const rate = engine.stats.forwardPasses / (engine.stats.wallTimeMs / 1000);
    const hfRate = await generate();
    engineRates.push(rate);
    hfRates.push(hfRate);
    ratios.push(rate / hfRate);
  }
  await hf.dispose();
  return [
    {
      name: `transformers.js greedy generate (same options), median of ${repeats}`,
      value: median(hfRates),
      unit: 'tokens/s',
    },
    { name: `engine greedy, interleaved with it, median of ${repeats}`, value: median(engineRates), unit: 'tokens/s' },
    { name: "engine / transformers.js, median of the pairs' ratios", value: median(ratios), unit: '×' },
  ];
}
