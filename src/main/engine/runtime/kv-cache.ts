import { kvBytes, type KvArray, type KvShape, type KvTensors } from '../model/kv-tensors';
import { ScratchKvArrays } from './scratch-kv-arrays';

/** One forward pass's `present` tensors; each row is one hypothesis's whole cache. */
interface KvBlock {
  tensors: KvTensors;
  bytes: number;
  liveRows: number;
  /** the node cached in each row (null: released) */
  owners: (number | null)[];
}

interface KvEntry {
  block: KvBlock;
  row: number;
}

/**
 * KV caches per tree node, under a byte budget. A node's cache is a row of the block its forward pass produced,
 * so a frontier evaluated together and kept together is reused with no copy; other batches are gathered.
 * Least recently used entries are evicted first; the evaluator recomputes them on demand.
 */
export class KvCache {
  private readonly entries = new Map<number, KvEntry>();
  /** per layer, keys then values: the arrays gathered batches are written into */
  private readonly scratch = new ScratchKvArrays();
  heldBytes = 0;
  peakBytes = 0;
  evictions = 0;
  /** passes whose caches did not fit in the budget and were not kept */
  declined = 0;
  /** batches built by reordering their parents' block in place */
  reorderedInPlace = 0;

  constructor(
    private readonly shape: KvShape,
    readonly budgetBytes: number,
  ) {}

  has(nodeId: number): boolean {
    return this.entries.has(nodeId);
  }

  /** Row i of `tensors` becomes the cache of nodeIds[i] (null: not kept). */
  store(
    nodeIds: (number | null)[],
    tensors: KvTensors,
    bytes = kvBytes(this.shape, tensors.batch, tensors.length),
  ): void {
    const block: KvBlock = { tensors, bytes, liveRows: 0, owners: new Array<number | null>(nodeIds.length).fill(null) };
    for (let row = 0; row < nodeIds.length; row++) {
      const id = nodeIds[row]!;
      if (id === null) continue;
      this.release(id);
      this.entries.set(id, { block, row });
      block.owners[row] = id;
      block.liveRows++;
    }
    if (block.liveRows > 0) {
      this.heldBytes += block.bytes;
      this.peakBytes = Math.max(this.peakBytes, this.heldBytes);
    }
  }

  /**
   * Stores a pass's caches only if they fit in the budget, after evicting least recently used entries outside
   * `keep`; otherwise keeps none of them (they are recomputed when needed), so the held bytes never pass the budget.
   */
  storeWithin(nodeIds: (number | null)[], tensors: KvTensors, keep: ReadonlySet<number>): boolean {
    const bytes = kvBytes(this.shape, tensors.batch, tensors.length);
    if (this.heldBytes + bytes > this.budgetBytes) this.evict(keep, this.budgetBytes - bytes);
    if (this.heldBytes + bytes > this.budgetBytes) {
      this.declined++;
      return false;
    }
    this.store(nodeIds, tensors, bytes);
    return true;
  }

  release(nodeId: number): void {
    const entry = this.entries.get(nodeId);
    if (!entry) return;
    this.entries.delete(nodeId);
    entry.block.owners[entry.row] = null;
    if (--entry.block.liveRows === 0) this.heldBytes -= entry.block.bytes;
  }

  clear(): void {
    for (const id of [...this.entries.keys()]) this.release(id);
  }

  /** One node's cache as a batch of one (see gather): its block itself when the node is the block's only row. */
  gatherOne(nodeId: number): KvTensors {
    const entry = this.entries.get(nodeId);
    if (!entry || entry.block.tensors.batch !== 1) return this.gather([nodeId]);
    this.touch(nodeId, entry);
    return entry.block.tensors;
  }

  /**
   * The caches of these nodes as one batch (all must be held and of equal length), valid until the next gather:
   * feed it to one forward pass, never keep it.
   */
  gather(nodeIds: number[]): KvTensors {
    const entries = nodeIds.map((id) => {
      const entry = this.entries.get(id);
      if (!entry) throw new Error(`no KV cache held for node ${id}`);
      this.touch(id, entry);
      return entry;
    });
    const first = entries[0]!.block;
    const length = first.tensors.length;
    const sameBlockInOrder =
      first.tensors.batch === nodeIds.length && entries.every((e, i) => e.block === first && e.row === i);
    if (sameBlockInOrder) return first.tensors;
    const rowSize = this.shape.numKvHeads * length * this.shape.headDim;
    const out: KvTensors = { keys: [], values: [], batch: nodeIds.length, length };
    for (let layer = 0; layer < this.shape.numLayers; layer++) {
      const keys = this.scratch.take(2 * layer, rowSize * nodeIds.length, this.shape.type);
      const values = this.scratch.take(2 * layer + 1, rowSize * nodeIds.length, this.shape.type);
      entries.forEach((e, i) => {
        if (e.block.tensors.length !== length) throw new Error('gathered caches must have equal lengths');
        const from = e.row * rowSize;
        keys.set(e.block.tensors.keys[layer]!.subarray(from, from + rowSize) as ArrayLike<number>, i * rowSize);
        values.set(e.block.tensors.values[layer]!.subarray(from, from + rowSize) as ArrayLike<number>, i * rowSize);
      });
      out.keys.push(keys);
      out.values.push(values);
    }
    return out;
  }

  /**
   * The caches of these nodes as one batch built inside the block that holds them, when every node cached in that
   * block is in `reusable` (not extended after this pass) and the batch is no larger than the block: each node's
   * row stays where it is for the first batch position that asks for it, other positions are copied over rows
   * nobody asked for, and the block's entries are dropped (its rows no longer match them). Returns the batch and
   * the row each requested position is in, or null when the block cannot be reused (then `gather` copies).
   * A beam or a BFS level whose parents are the previous step's nodes copies only its repeated parents.
   */
  reuseBlock(nodeIds: number[], reusable: ReadonlySet<number>): { past: KvTensors; rows: number[] } | null {
    const first = this.entries.get(nodeIds[0]!);
    if (!first) return null;
    const block = first.block;
    const batch = nodeIds.length;
    const { length } = block.tensors;
    if (batch > block.tensors.batch) return null;
    const sourceRows: number[] = [];
    for (const id of nodeIds) {
      const entry = this.entries.get(id);
      if (!entry || entry.block !== block) return null;
      sourceRows.push(entry.row);
    }
    if (block.owners.some((owner) => owner !== null && !reusable.has(owner))) return null;
    // a position takes its source row in place when the row is inside the batch and not taken yet
    const rows = sourceRows.map(() => -1);
    const taken = new Array<boolean>(batch).fill(false);
    sourceRows.forEach((source, i) => {
      if (source < batch && !taken[source]) {
        taken[source] = true;
        rows[i] = source;
      }
    });
    // the others go to the rows no position asked for: their old contents are not needed, and every source row
    // inside the batch is taken, so no source is overwritten before it is read
    const rowSize = this.shape.numKvHeads * length * this.shape.headDim;
    let free = 0;
    sourceRows.forEach((source, i) => {
      if (rows[i] !== -1) return;
      while (taken[free]) free++;
      taken[free] = true;
      rows[i] = free;
      for (const arrays of [block.tensors.keys, block.tensors.values]) {
        for (const array of arrays) array.copyWithin(free * rowSize, source * rowSize, (source + 1) * rowSize);
      }
    });
    for (const owner of block.owners) if (owner !== null) this.release(owner);
    this.reorderedInPlace++;
    const view = (array: KvArray) => (array.length === batch * rowSize ? array : array.subarray(0, batch * rowSize));
    return {
      past: { keys: block.tensors.keys.map(view), values: block.tensors.values.map(view), batch, length },
      rows,
    };
  }

  /** Evicts least recently used caches until at most `target` bytes are held (the budget by default), sparing `keep`. */
  evict(keep: ReadonlySet<number>, target = this.budgetBytes): void {
    if (this.heldBytes <= target) return;
    for (const id of [...this.entries.keys()]) {
      if (this.heldBytes <= target) break;
      if (keep.has(id)) continue;
      this.release(id);
      this.evictions++;
    }
  }

  private touch(id: number, entry: KvEntry): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
  }
}
