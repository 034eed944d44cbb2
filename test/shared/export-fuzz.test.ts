/**
 * Seeded fuzzing of the import validator with mutations of real exports (every strategy on a fixture model).
 * Targeted mutations each break one rule and must be refused with an ExportFormatError naming the path;
 * random mutations may be valid or not: whatever the validator accepts must pass an independent check of
 * the invariants below, and whatever it refuses must be refused with an ExportFormatError.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runSearch } from '../../src/main/engine/search/run-search';
import { buildExportFile } from '../../src/main/engine/export/build-export';
import { resolveStrategyConfig } from '../../src/shared/strategies';
import { ExportFormatError, parseExportFile } from '../../src/shared/export-validate';
import { fixtureModel } from '../helpers/fixtures';
import { Fuzz, randomMutation, targetedMutations } from '../helpers/export-mutations';

/** The whole comparison, and one file per run (small files keep a thousand mutations quick). */
let base: any;
let singles: any[];
let vocabSize: number;

beforeAll(async () => {
  const model = await fixtureModel('lab-bigram-tiny');
  vocabSize = model.info.vocabSize;
  const configs = [
    { strategy: 'greedy', maxNewTokens: 4, topkShown: 3 },
    { strategy: 'sampling', n: 4, maxNewTokens: 4, topkShown: 3 },
    { strategy: 'beam', numBeams: 3, maxNewTokens: 3, topkShown: 3 },
    { strategy: 'bfs', topK: 3, topP: 1, width: 4, maxNewTokens: 3, topkShown: 3, merge: { kind: 'last-n', n: 1 } },
    { strategy: 'hmm', topK: 3, width: 4, maxNewTokens: 3, states: 3, topkShown: 3 },
    { strategy: 'latent', mode: 'mixture', thoughts: 2, maxNewTokens: 2, topkShown: 3 },
  ];
  const runs = [];
  for (const [i, c] of configs.entries()) {
    const config = resolveStrategyConfig(c);
    const out = await runSearch({ model, prompt: 'a b', config });
    runs.push({ id: `run-${i}`, config, stats: out.stats, result: out.result, tree: out.tree });
  }
  base = JSON.parse(JSON.stringify(buildExportFile(model.info, 'a b', runs)));
  singles = base.runs.map((run: any) => ({ ...base, runs: [run] }));
});

/** Most mutations act on one run, so they start from a one-run file; a few need the whole comparison. */
function startFrom(z: Fuzz, whole = false): any {
  return structuredClone(whole || z.int(8) === 0 ? base : z.pick(singles));
}

/** The independent oracle: what any accepted file must satisfy, checked plainly. */
function invariantViolations(file: any, input: any): string[] {
  const bad: string[] = [];
  const EPS = 1e-6;
  const runIds = new Set<string>();
  for (const run of file.runs) {
    if (runIds.has(run.id)) bad.push(`duplicate run ${run.id}`);
    runIds.add(run.id);
    if (run.strategy !== run.config.strategy) bad.push('strategy');
    const byId = new Map<number, any>();
    for (const n of run.nodes) {
      if (byId.has(n.id)) bad.push(`duplicate node ${n.id}`);
      byId.set(n.id, n);
    }
    if (run.nodes.filter((n: any) => n.parents.length === 0).length !== 1) bad.push('roots');
    for (const n of run.nodes) {
      for (const p of n.parents) if (!byId.has(p) || byId.get(p).depth + 1 !== n.depth) bad.push(`edge ${p}->${n.id}`);
      if (n.parents.length === 0 && n.depth !== 0) bad.push('root depth');
      if (n.logprob > EPS || n.score > EPS || (n.forwardLogMass ?? 0) > EPS) bad.push(`logprob ${n.id}`);
      if (n.entropy !== undefined && (n.entropy < -EPS || n.entropy > Math.log(vocabSize) + EPS))
        bad.push(`entropy ${n.id}`);
      for (const t of [n.tokenId, ...(n.topk ?? []).map((x: any) => x.tokenId)])
        if (t !== null && t >= vocabSize) bad.push(`token ${t}`);
      for (const t of n.topk ?? []) if (t.logprob > EPS) bad.push('topk logprob');
      if (n.mergedInto !== undefined && (!byId.has(n.mergedInto) || n.mergedInto === n.id)) bad.push('mergedInto');
      if (n.status === 'merged' && n.mergedInto === undefined) bad.push('merged without target');
    }
    // acyclic, checked directly: every node reaches the root by first parents in at most nodes.length steps
    for (const n of run.nodes) {
      let at = n;
      let steps = 0;
      while (at && at.parents.length > 0 && steps <= run.nodes.length) {
        at = byId.get(at.parents[0]);
        steps++;
      }
      if (steps > run.nodes.length) bad.push(`cycle through ${n.id}`);
    }
    if (!(run.stats.coveredMass >= -EPS && run.stats.coveredMass <= 1 + EPS)) bad.push('coveredMass');
    for (const h of run.result.nBest) {
      if (!byId.has(h.nodeId)) bad.push('nBest node');
      if (h.tokenIds.some((t: number) => t >= vocabSize)) bad.push('nBest token');
    }
  }
  // nothing in the input was dropped, and every string is well-formed
  const walk = (a: any, b: any, path: string, depth: number) => {
    if (depth > 40) return bad.push(`depth at ${path}`);
    if (typeof a === 'string' && /\p{Cs}/u.test(a)) bad.push(`ill-formed string at ${path}`);
    if (typeof a !== 'object' || a === null) {
      if (typeof a === 'number' && !Number.isFinite(a)) bad.push(`non-finite at ${path}`);
      return;
    }
    for (const key of Object.keys(a)) {
      if (b === null || typeof b !== 'object' || !(key in b)) bad.push(`dropped ${path}.${key}`);
      else walk(a[key], b[key], `${path}.${key}`, depth + 1);
    }
  };
  walk(input, file, '$', 0);
  return bad;
}

describe('import fuzzing', () => {
  it('the unmutated export is accepted and passes the independent invariants', () => {
    const input = structuredClone(base);
    expect(invariantViolations(parseExportFile(input), input)).toEqual([]);
  });

  it('refuses every targeted mutation (>= 1,000, seeded) with an ExportFormatError naming the path', () => {
    const targeted = targetedMutations({ base, vocabSize });
    const counts = new Map<string, number>();
    const misplaced: string[] = [];
    let slowest = 0;
    for (let seed = 1; seed <= 1035; seed++) {
      const z = new Fuzz(seed);
      const mutation = targeted[seed % targeted.length]!;
      const file = startFrom(z, mutation.name === 'duplicate run id');
      const where = mutation.apply(file, z);
      const started = performance.now();
      let error: unknown = null;
      try {
        parseExportFile(file);
      } catch (err) {
        error = err;
      }
      slowest = Math.max(slowest, performance.now() - started);
      if (!(error instanceof ExportFormatError)) {
        throw new Error(
          `seed ${seed} (${mutation.name}): ${error ? `unexpected ${(error as Error).name}: ${(error as Error).message}` : 'accepted'}`,
        );
      }
      if (!where.test(error.path) || !error.message.startsWith(error.path + ': '))
        misplaced.push(`seed ${seed} (${mutation.name}): ${error.message}`);
      counts.set(mutation.name, (counts.get(mutation.name) ?? 0) + 1);
    }
    expect(misplaced).toEqual([]);
    expect(counts.size).toBe(targeted.length);
    expect(slowest).toBeLessThan(2000);
  });

  it('random mutations (>= 1,000, seeded): accepted only when valid, refused only with ExportFormatError', () => {
    let accepted = 0;
    let refused = 0;
    const invalidAccepted: string[] = [];
    let slowest = 0;
    for (let seed = 1; seed <= 1000; seed++) {
      const z = new Fuzz(10_000 + seed);
      const file = startFrom(z);
      for (let k = 1 + z.int(3); k > 0; k--) randomMutation(file, z);
      const input = structuredClone(file);
      const started = performance.now();
      try {
        const parsed = parseExportFile(file);
        const violations = invariantViolations(parsed, input);
        if (violations.length > 0) invalidAccepted.push(`seed ${seed}: ${violations.join(', ')}`);
        accepted++;
      } catch (err) {
        if (!(err instanceof ExportFormatError))
          throw new Error(`seed ${seed}: unexpected ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
        if (!err.message.startsWith('$')) invalidAccepted.push(`seed ${seed}: no path in "${err.message}"`);
        refused++;
      }
      slowest = Math.max(slowest, performance.now() - started);
    }
    console.log(
      `import fuzz: ${accepted} random mutations accepted (all valid), ${refused} refused; slowest ${slowest.toFixed(0)} ms`,
    );
    expect(invalidAccepted).toEqual([]);
    // both outcomes occur: the mutations are neither all harmless nor all fatal
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(600);
    expect(slowest).toBeLessThan(2000);
  });

  it('refuses a 100,000-deep analysis read from JSON text without a stack overflow', () => {
    const depth = 100_000;
    const text = JSON.stringify(base).replace(
      '"result":{',
      `"result":{"analysis":{"x":${'['.repeat(depth)}1${']'.repeat(depth)}},`,
    );
    expect(text.length).toBeGreaterThan(200_000);
    expect(() => parseExportFile(JSON.parse(text))).toThrow(
      /^\$\.runs\[0\]\.result\.analysis\.x(\[0\])+: nested more than/,
    );
  });
});
