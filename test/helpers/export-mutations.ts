/**
 * Mutations of export files for the import fuzzer (test/shared/export-fuzz.test.ts): targeted ones that each break
 * one rule of the format, and random edits anywhere.
 */
import { SeededRandom } from '../../src/main/engine/sampling/seeded-random';

/** Seeded choices, so that a failing mutation can be replayed by its seed. */
export class Fuzz {
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

export type Mutation = { name: string; apply: (f: any, z: Fuzz) => RegExp };

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

/**
 * Each breaks exactly one rule; the regexp is where the error must point. `fixture`: the exported comparison the
 * files come from, and its model's vocabulary size.
 */
export function targetedMutations(fixture: { base: any; vocabSize: number }): Mutation[] {
  const { base, vocabSize } = fixture;
  return [
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
}

const POOL = [null, -1, 0, 1, 1.5, -0.5, 1e308, -1e308, 'x', '', true, [], {}, 5_000_000, '\ud800', Infinity];

/** A random edit anywhere in the file: replace a value, delete or add a key, drop or repeat an array element. */
export function randomMutation(f: any, z: Fuzz): void {
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
