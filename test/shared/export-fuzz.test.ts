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
import { SeededRandom } from '../../src/main/engine/sampling/seeded-random';
import { fixtureModel } from '../helpers/fixtures';

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

class Fuzz {
  readonly random: SeededRandom;
  constructor(seed: number) {
    this.random = new SeededRandom(seed);
  }
  int(n: number): number {
    return Math.floor(this.random.next() * n);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
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

type Mutation = { name: string; apply: (f: any, z: Fuzz) => RegExp };

const runOf = (f: any, z: Fuzz) => {
  const r = z.int(f.runs.length);
  return { r, run: f.runs[r], at: (rest: string) => new RegExp(`^\\$\\.runs\\[${r}\\]${rest}`) };
};
const nonRoot = (run: any, z: Fuzz) => {
  const i = 1 + z.int(run.nodes.length - 1);
  return { i, node: run.nodes[i] };
};
const descendants = (run: any, id: number): number[] => {
  const out: number[] = [];
  const frontier = [id];
  while (frontier.length) {
    const at = frontier.pop()!;
    for (const n of run.nodes) {
      if (n.parents.includes(at) && !out.includes(n.id)) {
        out.push(n.id);
        frontier.push(n.id);
      }
    }
  }
  return out;
};

/** Each breaks exactly one rule; the regexp is where the error must point. */
const TARGETED: Mutation[] = [
  {
    name: 'cycle: a node becomes a child of itself or of its descendant',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const { node } = nonRoot(run, z);
      node.parents[0] = z.pick([node.id, ...descendants(run, node.id)]);
      return at('\\.nodes');
    },
  },
  {
    name: 'cycle including the root (the root gets a parent)',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      run.nodes[0].parents = [z.pick<any>(run.nodes.slice(1)).id];
      return at('\\.nodes');
    },
  },
  {
    name: 'depth inconsistent with the parent',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const { node } = nonRoot(run, z);
      node.depth = Math.max(0, node.depth + z.pick([-1, 1, 2, 7]));
      if (node.depth === run.nodes.find((n: any) => n.id === node.parents[0]).depth + 1) node.depth += 1;
      return at('\\.nodes');
    },
  },
  {
    name: 'a second root',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const { node } = nonRoot(run, z);
      node.parents = [];
      node.depth = z.pick([0, node.depth]);
      return at('\\.nodes');
    },
  },
  {
    name: 'duplicate node id',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const { i, node } = nonRoot(run, z);
      node.id = run.nodes[z.int(i)].id;
      return at('\\.nodes');
    },
  },
  {
    name: 'missing parent',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const { node } = nonRoot(run, z);
      node.parents[z.int(node.parents.length)] = 1000 + z.int(1000);
      return at('\\.nodes');
    },
  },
  {
    name: 'strategy differs from config.strategy',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      run.strategy = z.pick(
        ['greedy', 'sampling', 'beam', 'bfs', 'hmm', 'latent', 'nope'].filter((s) => s !== run.config.strategy),
      );
      return at('\\.strategy');
    },
  },
  {
    name: 'mergedInto a missing node or itself',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const { i, node } = nonRoot(run, z);
      node.mergedInto = z.pick([node.id, 5000 + z.int(100)]);
      return at(`\\.nodes\\[${i}\\]\\.mergedInto`);
    },
  },
  {
    name: 'nBest names a missing node',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      if (run.result.nBest.length === 0)
        run.result.nBest.push({ nodeId: 0, text: '', tokenIds: [], score: 0, logprob: 0 });
      const k = z.int(run.result.nBest.length);
      run.result.nBest[k].nodeId = 7000 + z.int(100);
      return at(`\\.result\\.nBest\\[${k}\\]\\.nodeId`);
    },
  },
  {
    name: 'token id outside the vocabulary',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const tokenNodes = run.nodes.map((n: any, i: number) => [n, i]).filter(([n]: any) => n.tokenId !== null);
      const [node, i] = z.pick(tokenNodes) as any;
      const where = z.int(2);
      const value = z.pick([vocabSize, vocabSize + 1, 5_000_000, 2 ** 31 - 2]);
      if (where === 0 || !node.topk?.length) {
        node.tokenId = value;
        return at(`\\.nodes\\[${i}\\]\\.tokenId`);
      }
      const k = z.int(node.topk.length);
      node.topk[k].tokenId = value;
      return at(`\\.nodes\\[${i}\\]\\.topk\\[${k}\\]\\.tokenId`);
    },
  },
  {
    name: 'coveredMass outside [0, 1]',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      run.stats.coveredMass = z.pick([5, 1.001, 1e308]);
      return at('\\.stats\\.coveredMass');
    },
  },
  {
    name: 'a positive log-probability',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const { i, node } = nonRoot(run, z);
      const field = z.pick(['logprob', 'score']);
      node[field] = z.pick([1e308, 0.5, 1e-3]);
      return at(`\\.nodes\\[${i}\\]\\.${field}`);
    },
  },
  {
    name: 'negative entropy',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const withEntropy = run.nodes.map((n: any, i: number) => [n, i]).filter(([n]: any) => n.entropy !== undefined);
      const [node, i] = z.pick(withEntropy) as any;
      node.entropy = z.pick([-1, -1e-3, 1000]);
      return at(`\\.nodes\\[${i}\\]\\.entropy`);
    },
  },
  {
    name: 'an unknown key where the schema strips keys',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const where = z.pick(['config', 'stats', 'result', 'topk', 'model', 'task-less file'] as const);
      if (where === 'model') return ((f.model.extra = 1), /^\$\.model/);
      if (where === 'task-less file') return ((f.surprise = 1), /^\$/);
      if (where === 'topk') {
        const i = run.nodes.findIndex((n: any) => n.topk?.length);
        run.nodes[i].topk[0].extra = 'x';
        return at(`\\.nodes\\[${i}\\]\\.topk\\[0\\]`);
      }
      run[where][z.pick(['unknownSetting', 'peakRss', 'note'])] = 1;
      return at(`\\.${where}`);
    },
  },
  {
    name: 'a required key deleted',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const { i, node } = nonRoot(run, z);
      const key = z.pick(['id', 'parents', 'kind', 'tokenId', 'text', 'logprob', 'score', 'depth', 'status']);
      delete node[key];
      return at(`\\.nodes\\[${i}\\]`);
    },
  },
  {
    name: 'a value of the wrong type or not finite',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const { i, node } = nonRoot(run, z);
      const key = z.pick(['id', 'logprob', 'score', 'depth', 'tokenId', 'text']);
      node[key] = z.pick([key === 'text' ? 5 : 'x', [], {}, true, Infinity, NaN, key === 'text' ? null : 1.5]);
      if (key === 'tokenId' && node[key] === null) node[key] = 'x';
      return at(`\\.nodes\\[${i}\\]`);
    },
  },
  {
    name: 'nesting deeper than any export under analysis',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      let deep: any = 1;
      const depth = z.pick([33, 200, 5000]);
      for (let d = 0; d < depth; d++) deep = z.int(2) ? { a: deep } : [deep];
      run.result.analysis = { ...(run.result.analysis ?? {}), deep };
      return at('\\.result\\.analysis\\.deep');
    },
  },
  {
    name: 'a lone surrogate (invalid UTF-8 decoded without replacement)',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const { i, node } = nonRoot(run, z);
      node.text = node.text + z.pick(['\ud800', '\udfff', '\udc00x']);
      return at(`\\.nodes\\[${i}\\]\\.text`);
    },
  },
  {
    name: 'version from the future or not a version',
    apply: (f, z) => {
      f.version = z.pick([2, 99, 0, -1, 1.5, '1', null]);
      return /^\$\.version$/;
    },
  },
  {
    name: 'duplicate run id',
    apply: (f, z) => {
      const { r, run } = runOf(f, z);
      const other = (r + 1 + z.int(f.runs.length - 1)) % f.runs.length;
      f.runs[other].id = run.id;
      return /^\$\.runs\[\d+\]\.id$/;
    },
  },
  {
    name: 'a token node without a token id, or a thought with one',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const { i, node } = nonRoot(run, z);
      if (node.kind === 'token') node.tokenId = null;
      else node.tokenId = 0;
      return at(`\\.nodes\\[${i}\\]\\.tokenId`);
    },
  },
  {
    name: 'a known analysis kind with a broken body',
    apply: (f, z) => {
      let r = f.runs.findIndex((run: any) => run.result.analysis?.kind);
      if (r < 0) {
        f.runs = [...f.runs, structuredClone(base.runs.find((run: any) => run.result.analysis?.kind))];
        r = f.runs.length - 1;
      }
      const analysis = f.runs[r].result.analysis;
      const key = z.pick(Object.keys(analysis).filter((k) => k !== 'kind'));
      analysis[key] = z.pick(['x', -1, true]);
      return new RegExp(`^\\$\\.runs\\[${r}\\]\\.result\\.analysis`);
    },
  },
  {
    name: 'a parent listed twice',
    apply: (f, z) => {
      const { run, at } = runOf(f, z);
      const { i, node } = nonRoot(run, z);
      node.parents.push(node.parents[0]);
      return at(`\\.nodes\\[${i}\\]\\.parents`);
    },
  },
];

const POOL = [null, -1, 0, 1, 1.5, -0.5, 1e308, -1e308, 'x', '', true, [], {}, 5_000_000, '\ud800', Infinity];

/** A random edit anywhere in the file: replace a value, delete or add a key, drop or repeat an array element. */
function randomMutation(f: any, z: Fuzz): void {
  const places: { parent: any; key: string | number }[] = [];
  const stack: any[] = [f];
  while (stack.length) {
    const at = stack.pop();
    for (const key of Array.isArray(at) ? at.keys() : Object.keys(at)) {
      places.push({ parent: at, key });
      if (typeof at[key] === 'object' && at[key] !== null) stack.push(at[key]);
    }
  }
  const { parent, key } = z.pick(places);
  // free text and small numeric nudges keep many files valid, so acceptance is exercised as well as refusal
  if (typeof parent[key] === 'string' && z.int(2) === 0) return void (parent[key] = z.pick(['é🙂', 'x', '', ' . ']));
  if (typeof parent[key] === 'number' && z.int(3) === 0) return void (parent[key] = parent[key] - z.pick([0, 0.25, 1]));
  const op = z.int(5);
  const value = z.pick(POOL);
  if (op === 0 || op === 1) parent[key] = structuredClone(value);
  else if (op === 2) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else if (op === 3) {
    if (Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
    else parent[`${String(key)}_x`] = value;
  } else if (typeof parent[key] === 'number') parent[key] = parent[key] + z.pick([-2, -1, 1, 2, 0.5]);
  else parent[key] = structuredClone(value);
}

describe('import fuzzing', () => {
  it('the unmutated export is accepted and passes the independent invariants', () => {
    const input = structuredClone(base);
    expect(invariantViolations(parseExportFile(input), input)).toEqual([]);
  });

  it('refuses every targeted mutation (>= 1,000, seeded) with an ExportFormatError naming the path', () => {
    const counts = new Map<string, number>();
    const misplaced: string[] = [];
    let slowest = 0;
    for (let seed = 1; seed <= 1035; seed++) {
      const z = new Fuzz(seed);
      const mutation = TARGETED[seed % TARGETED.length]!;
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
    expect(counts.size).toBe(TARGETED.length);
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
