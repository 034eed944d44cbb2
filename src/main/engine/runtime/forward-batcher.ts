import type { ForwardRequest, ForwardResult } from '../model/decoder-session';
import type { KvArray, KvTensors } from '../model/kv-tensors';
import { ScratchKvArrays } from './scratch-kv-arrays';

/** What an evaluator needs from a model: one forward pass. A decoder session, or a batcher in front of one. */
export interface DecoderPass {
  forward(request: ForwardRequest): Promise<ForwardResult>;
}

interface Pending {
  request: ForwardRequest;
  resolve(result: ForwardResult): void;
  reject(err: unknown): void;
}

/**
 * Lets several searches share forward passes (e.g. the examples of an evaluation): requests that arrive while
 * the searches run their JavaScript are collected until the event loop is idle, then requests of equal shape
 * (past length, new tokens, the same intervention) are concatenated along the batch axis and run as one pass.
 * Rows of a transformer batch are independent, so each search gets what it would have got alone.
 * Requests for hidden states of every layer run alone (their output is laid out layer-major).
 */
export class ForwardBatcher implements DecoderPass {
  private pending: Pending[] = [];
  private scheduled = false;
  private running = false;
  private readonly identities = new WeakMap<object, number>();
  private nextIdentity = 1;
  /** forward passes run and rows they carried, to report how well requests were merged */
  readonly stats = { passes: 0, rows: 0 };
  /** where merged caches that are not already back to back are copied (groups run one after another) */
  private readonly scratch = new ScratchKvArrays();

  constructor(private readonly decoder: DecoderPass) {}

  forward(request: ForwardRequest): Promise<ForwardResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private identity(value: object | undefined): number {
    if (!value) return 0;
    const known = this.identities.get(value);
    if (known !== undefined) return known;
    const id = this.nextIdentity++;
    this.identities.set(value, id);
    return id;
  }

  private keyOf({ request }: Pending, index: number): string {
    if (request.wantHiddenStates) return `alone:${index}`;
    const kind = request.inputIds ? 'ids' : 'embeds';
    return `${kind}:${request.past?.length ?? 0}:${request.seq}:${this.identity(request.residualDelta)}:${this.identity(request.residualAblate)}`;
  }

  private async flush(): Promise<void> {
    this.running = true;
    const batch = this.pending;
    this.pending = [];
    const groups = new Map<string, Pending[]>();
    batch.forEach((p, i) => {
      const key = this.keyOf(p, i);
      const group = groups.get(key);
      if (group) group.push(p);
      else groups.set(key, [p]);
    });
    // every group runs before any search resumes, so the next flush again sees all of them waiting
    const settle: (() => void)[] = [];
    for (const group of groups.values()) {
      try {
        const results = await this.runGroup(group);
        group.forEach((p, i) => settle.push(() => p.resolve(results[i]!)));
      } catch (err) {
        group.forEach((p) => settle.push(() => p.reject(err)));
      }
    }
    this.running = false;
    for (const s of settle) s();
    if (this.pending.length > 0) this.schedule();
  }

  private async runGroup(group: Pending[]): Promise<ForwardResult[]> {
    this.stats.passes++;
    const requests = group.map((p) => p.request);
    const batch = requests.reduce((n, r) => n + r.batch, 0);
    this.stats.rows += batch;
    if (requests.length === 1) return [await this.decoder.forward(requests[0]!)];
    const { seq } = requests[0]!;
    const first = requests[0]!;
    const merged: ForwardRequest = {
      batch,
      seq,
      past: first.past ? this.concatKv(requests.map((r) => r.past!)) : null,
      residualDelta: first.residualDelta,
      residualAblate: first.residualAblate,
    };
    if (first.inputIds) merged.inputIds = requests.flatMap((r) => Array.from(r.inputIds!));
    else merged.inputsEmbeds = concatFloat(requests.map((r) => r.inputsEmbeds!));
    const out = await this.decoder.forward(merged);
    const results: ForwardResult[] = [];
    let row = 0;
    for (const r of requests) {
      results.push(sliceRows(out, row, r.batch, batch));
      row += r.batch;
    }
    return results;
  }

  private concatKv(parts: KvTensors[]): KvTensors {
    const layers = parts[0]!.keys.length;
    const out: KvTensors = {
      keys: [],
      values: [],
      batch: parts.reduce((n, p) => n + p.batch, 0),
      length: parts[0]!.length,
    };
    for (let l = 0; l < layers; l++) {
      out.keys.push(
        this.concatArrays(
          2 * l,
          parts.map((p) => p.keys[l]!),
        ),
      );
      out.values.push(
        this.concatArrays(
          2 * l + 1,
          parts.map((p) => p.values[l]!),
        ),
      );
    }
    return out;
  }

  private concatArrays(slot: number, parts: KvArray[]): KvArray {
    const view = adjacentView(parts);
    if (view) return view;
    const total = parts.reduce((n, p) => n + p.length, 0);
    const out = this.scratch.take(slot, total, parts[0] instanceof Uint16Array ? 'float16' : 'float32');
    let at = 0;
    for (const p of parts) {
      out.set(p as never, at);
      at += p.length;
    }
    return out;
  }
}

function concatFloat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Arrays that lie back to back in one buffer, in order (rows of one earlier pass): a view over them, no copy. */
function adjacentView(parts: KvArray[]): KvArray | null {
  const first = parts[0]!;
  let end = first.byteOffset + first.byteLength;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.buffer !== first.buffer || p.byteOffset !== end || p.constructor !== first.constructor) return null;
    end += p.byteLength;
  }
  const length = (end - first.byteOffset) / first.BYTES_PER_ELEMENT;
  return first instanceof Float32Array
    ? new Float32Array(first.buffer, first.byteOffset, length)
    : new Uint16Array(first.buffer, first.byteOffset, length);
}

/** Rows [row, row + count) of a batched result, as views (batch-major outputs). */
function sliceRows(out: ForwardResult, row: number, count: number, batch: number): ForwardResult {
  const rows = <T extends KvArray>(a: T): T => {
    const per = a.length / batch;
    return a.subarray(row * per, (row + count) * per) as T;
  };
  const present: KvTensors = {
    keys: out.present.keys.map(rows),
    values: out.present.values.map(rows),
    batch: count,
    length: out.present.length,
  };
  const result: ForwardResult = { logits: rows(out.logits), present };
  if (out.lastHidden) result.lastHidden = rows(out.lastHidden);
  return result;
}
