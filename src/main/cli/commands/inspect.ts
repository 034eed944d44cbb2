import { parseArgs } from 'node:util';
import { modelFromArg } from '../model-arg';
import { strategies, strategyNeeds } from '../../engine/strategies/registry';
import { missingCapabilities } from '../../engine/model/signature';
import { resolveStrategyConfig, strategyNames } from '../../../shared/strategies';
import { formatTable } from '../table';

export async function inspectCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { model: { type: 'string' } },
    allowPositionals: true,
  });
  const model = await modelFromArg(values.model ?? positionals[0]);
  try {
    const info = model.info;
    console.log(`${info.name}  (${info.folder})`);
    console.log(
      formatTable(
        ['property', 'value'],
        [
          [
            'convention',
            info.convention === 'lab' ? 'lab (inputs_embeds, hidden states)' : 'Hugging Face / Optimum (input_ids)',
          ],
          ['graph', info.graphFile],
          ['family', info.family],
          ['layers', info.numLayers],
          ['attention heads', info.numHeads],
          ['key/value heads', info.numKvHeads],
          ['head size', info.headDim],
          ['hidden size', info.hiddenSize ?? 'n/a'],
          ['vocabulary', info.vocabSize],
          ['KV cache type', info.kvDtype],
          ['BOS / EOS ids', `${info.bosTokenId ?? '-'} / ${info.eosTokenIds.join(', ') || '-'}`],
        ],
      ),
    );
    console.log('\ncapabilities:');
    for (const [name, has] of Object.entries(info.capabilities)) console.log(`  ${has ? '✓' : '✗'} ${name}`);
    console.log('\nstrategies:');
    for (const name of strategyNames) {
      if (!strategies[name]) continue;
      const missing = missingCapabilities(info.capabilities, strategyNeeds(resolveStrategyConfig({ strategy: name })));
      console.log(`  ${missing ? '✗' : '✓'} ${name}${missing ? ` (needs ${missing})` : ''}`);
    }
    console.log(`\ninputs:  ${info.inputs.join(', ')}\noutputs: ${info.outputs.join(', ')}`);
  } finally {
    await model.release();
  }
}
