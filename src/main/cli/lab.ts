import { runCommand } from './commands/run';
import { compareCommand } from './commands/compare';
import { evalCommand } from './commands/eval';
import { inspectCommand } from './commands/inspect';
import { inspectNodeCommand } from './commands/inspect-node';
import { directionCommand } from './commands/direction';
import { frontierCommand } from './commands/frontier';
import { LensUnavailableError } from '../engine/lens/logit-lens';
import { UsageError } from './strategy-args';
import { ModelLoadError, PositionLimitError } from '../engine/model/model-error';
import { StrategyUnavailableError } from '../engine/search/run-search';
import { RunRefusedError } from '../engine/guards/context-guard';
import { DirectionError } from '../engine/intervention/direction-file';
import { rerunWithEngineAllocatorEnv } from '../engine/runtime/allocator-env';

const USAGE = `usage: npm run lab -- <command> [options]

commands:
  run       one strategy on one prompt; prints the best text and stats
            --model DIR --prompt TEXT | --prompt-file PATH | --task N  --strategy NAME [--<setting> VALUE ...] [--out FILE.json]
            e.g. --strategy beam --num-beams 8 --length-penalty 0.8 --max-new-tokens 40
  compare   several strategies on one prompt; prints a comparison table, exports one file
            --model DIR --prompt TEXT | --prompt-file PATH | --task N  --run "beam num-beams=8" --run "sampling n=16" [--out FILE.json]
  eval      strategies over the bundled task's test split: accuracy, forward passes, tokens, wall time
            --model DIR [--run SPEC ...] [--limit N] [--max-new-tokens N] [--json FILE]
  inspect   a model folder's signature and capabilities
            [--model] DIR
  inspect-node  the logit lens of one node: every layer's top tokens and entropy (lab models)
            --model DIR --prompt TEXT | --task N  [--continuation TEXT] [--top K] [--lens logit|tuned]
  frontier  Coconut's latent-search analysis: after k thoughts (or k written facts) the value of each frontier node
            per k and per layer (logit lens, tuned lens when shipped)   --model DIR [--limit N] [--json FILE] [--no-layers]
  direction a steering direction: mean residual (last prompt token, after layer L) of positive minus negative prompts
            --positive FILE --negative FILE (one prompt a line; or --positive-prompt TEXT ...) --layers 2,3 --out FILE

--prompt-file - (or --prompt -) reads the prompt from standard input; long prompts must come from a file or stdin.
run, compare and eval take interventions (lab models): --steer FILE [--scale A] and/or --ablate FILE, [--layers 2,3]

strategies: greedy, sampling, beam, bfs, latent, hmm (settings: see README)
--model defaults to the bundled model under resources/models.`;

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  run: runCommand,
  compare: compareCommand,
  eval: evalCommand,
  inspect: inspectCommand,
  'inspect-node': inspectNodeCommand,
  direction: directionCommand,
  frontier: frontierCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    await command(rest);
    return 0;
  } catch (err) {
    if (
      err instanceof UsageError ||
      err instanceof ModelLoadError ||
      err instanceof PositionLimitError ||
      err instanceof StrategyUnavailableError ||
      err instanceof RunRefusedError ||
      err instanceof LensUnavailableError ||
      err instanceof DirectionError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      console.error(`error: ${(err as Error).message}`);
      return 2;
    }
    // anything else is a bug or an environment failure: still one line (LATTICE_LAB_DEBUG=1 shows the stack)
    console.error(
      `error: ${process.env.LATTICE_LAB_DEBUG ? ((err as Error).stack ?? err) : ((err as Error).message ?? String(err)).split('\n')[0]}`,
    );
    return 1;
  }
}

// the engine runs in this process: under its allocator settings (see allocator-env.ts), as in the app's engine process
process.exitCode = rerunWithEngineAllocatorEnv() ?? (await main(process.argv.slice(2)));
