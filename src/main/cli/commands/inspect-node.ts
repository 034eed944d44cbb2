import { parseArgs } from 'node:util';
import { modelFromArg } from '../model-arg';
import { encodePrompt } from '../../engine/search/run-search';
import { inspectNodeLens } from '../../engine/lens/logit-lens';
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
    options: { model: { type: 'string' }, threads: { type: 'string' }, prompt: { type: 'string' }, task: { type: 'string' }, continuation: { type: 'string', default: '' }, top: { type: 'string', default: '5' } },
  });
  const model = await modelFromArg(values.model, values.threads);
  try {
    const source = promptSource(model, values.prompt, values.task);
    const promptIds = encodePrompt(model, source.prompt);
    const tokens = values.continuation ? model.tokenizer.encode(values.continuation, false) : [];
    const topK = Number(values.top);
    if (!Number.isInteger(topK) || topK < 1) throw new UsageError('--top must be a positive integer');
    const layers = await inspectNodeLens(model, chainLineage(promptIds, tokens), tokens.length, { topK });
    console.log(`node: ${JSON.stringify(source.prompt)} + ${JSON.stringify(model.tokenizer.decode(tokens))}`);
    console.log(
      formatTable(
        ['layer', 'entropy', `top ${topK} (probability)`],
        layers.map((l) => [
          l.layer === 0 ? '0 (embedding)' : String(l.layer),
          l.entropy,
          l.topk.map((t) => `${JSON.stringify(t.text)} ${Math.exp(t.logprob).toFixed(3)}`).join('  '),
        ]),
      ),
    );
  } finally {
    await model.release();
  }
}
