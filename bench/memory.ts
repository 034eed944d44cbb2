import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Measured } from './measure';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * BFS with a 4,096-wide frontier (top-k 8, 10 new tokens, EOS off) in a fresh process, so that its peak resident
 * memory is its own: with the default 512 MiB KV budget, held KV must stay within the budget.
 */
export async function benchMemory(folder: string): Promise<Measured[]> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(here, 'memory-child.ts'), folder], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const r = JSON.parse(out.trim().split('\n').pop()!) as {
    maxRssMiB: number;
    peakKvMiB: number;
    budgetMiB: number;
    nodes: number;
    seconds: number;
    refused?: string;
  };
  if (r.refused) {
    console.log(`BFS W=4096 refused before it could outgrow memory: ${r.refused}`);
    return [{ name: 'BFS W=4096 peak RSS (refused at the step limit)', value: r.maxRssMiB, unit: 'MiB' }];
  }
  return [
    { name: 'BFS W=4096 top-k 8, 10 tokens: peak RSS', value: r.maxRssMiB, unit: 'MiB' },
    { name: 'BFS W=4096: peak KV held', value: r.peakKvMiB, unit: 'MiB', atMost: r.budgetMiB },
    { name: 'BFS W=4096: nodes', value: r.nodes, unit: 'nodes' },
    { name: 'BFS W=4096: wall time', value: r.seconds, unit: 's' },
  ];
}
