import { parseArgs } from 'node:util';
import { modelFromArg } from '../model-arg';
import { encodePrompt } from '../../engine/search/run-search';
import { inspectNodeLens } from '../../engine/lens/logit-lens';
import { tunedLensStatus, TUNED_LENS_FILE } from '../../engine/lens/tuned-lens';
import type { Lineage, NodeInput } from '../../engine/runtime/evaluator';
import { formatTable } from '../table';
import { UsageError } from '../strategy-args';
import { promptSource } from '../execute';

/** A chain of nodes: the prompt (node 0), then one node per continuation token. */
function chainLineage(promptIds: number[], tokens: number[]): Lineage {
  return {
    parentOf: (id) => (id === 0 ? null : id - 1),
    inputOf: (id): NodeInput => (id === 0 ? { tokens: promptIds } : { tokens: [tokens[id - 1]!] }),
  };
}

/** The logit lens of the node reached by a prompt and a continuation: each layer's top tokens and entropy. */
export async function inspectNodeCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      threads: { type: 'string' },
      prompt: { type: 'string' },
      task: { type: 'string' },
      continuation: { type: 'string', default: '' },
      top: { type: 'string', default: '5' },
      lens: { type: 'string', default: 'logit' },
    },
  });
  const model = await modelFromArg(values.model, values.threads);
  try {
    const source = promptSource(model, values.prompt, values.task);
    const promptIds = encodePrompt(model, source.prompt);
    const tokens = values.continuation ? model.tokenizer.encode(values.continuation, false) : [];
    const topK = Number(values.top);
    if (!Number.isInteger(topK) || topK < 1) throw new UsageError('--top must be a positive integer');
    if (values.lens !== 'logit' && values.lens !== 'tuned') throw new UsageError('--lens must be logit or tuned');
    const { lens: tuned, status } = tunedLensStatus(model.info.folder);
    if (values.lens === 'tuned' && !tuned) {
      const why =
        status === 'stale' ? `'s ${TUNED_LENS_FILE} was trained for other weights` : ` ships no ${TUNED_LENS_FILE}`;
      throw new UsageError(`${model.info.name}${why} (train one with scripts/model/tuned_lens.py)`);
    }
    const lineage = chainLineage(promptIds, tokens);
    const logit = await inspectNodeLens(model, lineage, tokens.length, { topK });
    // both lenses' distance to the final prediction, whichever one's tokens are shown
    const tunedLayers = tuned ? await inspectNodeLens(model, lineage, tokens.length, { topK, tuned }) : null;
    const layers = values.lens === 'tuned' ? tunedLayers! : logit;
    console.log(
      `node: ${JSON.stringify(source.prompt)} + ${JSON.stringify(model.tokenizer.decode(tokens))}   lens: ${values.lens}`,
    );
    console.log(
      formatTable(
        ['layer', 'entropy', 'KL logit lens', 'KL tuned lens', `top ${topK} (probability)`],
        layers.map((l, i) => [
          l.layer === 0 ? '0 (embedding)' : String(l.layer),
          l.entropy,
          logit[i]!.klToFinal!.toFixed(4),
          tunedLayers ? tunedLayers[i]!.klToFinal!.toFixed(4) : '-',
          l.topk.map((t) => `${JSON.stringify(t.text)} ${Math.exp(t.logprob).toFixed(3)}`).join('  '),
        ]),
      ),
    );
    console.log('KL: KL(model output ‖ layer readout) in nats');
  } finally {
    await model.release();
  }
}
