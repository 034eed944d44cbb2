// Smoke test of exported model folders with onnxruntime-node and @huggingface/tokenizers.
// Usage (from the repo root): node scripts/model/smoke_onnx.mjs <model-folder>...
// For every folder with reference.json: a full pass at batch 2 with a zero-length past
// must match the torch log-probabilities (1e-4), then a cached step (prefix, then one
// token with the presents as past) must match too; lab folders also check the lens,
// last_hidden_state and the residual_delta example.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(path.join(process.cwd(), 'package.json'));
const ort = require('onnxruntime-node');
const { Tokenizer } = await import(
  path.join(process.cwd(), 'node_modules/@huggingface/tokenizers/dist/tokenizers.mjs')
);

const TOL = 1e-4;
let failures = 0;
function check(cond, msg) {
  if (!cond) {
    failures++;
    console.log('  FAIL ' + msg);
  }
}
function logSoftmax(row) {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0));
  return row.map((x) => x - lse);
}
function maxDiff(a, b) {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

function findModel(dir) {
  for (const p of ['onnx/model.onnx', 'decoder_model_merged.onnx'])
    if (fs.existsSync(path.join(dir, p))) return path.join(dir, p);
  throw new Error('no model in ' + dir);
}

async function smoke(dir) {
  console.log('== ' + dir);
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const tj = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8'));
  const tcPath = path.join(dir, 'tokenizer_config.json');
  const tc = fs.existsSync(tcPath) ? JSON.parse(fs.readFileSync(tcPath, 'utf8')) : {};
  const tok = new Tokenizer(tj, tc);
  const vocab = tok.get_vocab(true);
  console.log(
    '  tokenizer vocab',
    vocab.size,
    'decode(all ids)=',
    JSON.stringify(tok.decode([...Array(vocab.size).keys()])),
  );
  for (const text of ['a b c', 'é', 'a é', 'ab a']) {
    try {
      const e = tok.encode(text);
      console.log(`  encode(${JSON.stringify(text)}) = [${e.ids}] -> decode ${JSON.stringify(tok.decode(e.ids))}`);
    } catch (e) {
      console.log(`  encode(${JSON.stringify(text)}) threw ${e.message}`);
    }
  }
  const s = await ort.InferenceSession.create(findModel(dir));
  console.log('  inputs ', s.inputNames.join(' '));
  console.log('  outputs', s.outputNames.join(' '));
  const refPath = path.join(dir, 'reference.json');
  if (!fs.existsSync(refPath)) return;
  const ref = JSON.parse(fs.readFileSync(refPath, 'utf8'));
  const lab = s.inputNames.includes('inputs_embeds');
  const L = s.inputNames.filter((n) => /^past_key_values\.\d+\.key$/.test(n)).length;
  const V = ref.sequences[0].logprobs[0].length;
  // kv dims from a probe run
  let H = 0,
    emb = null;
  if (lab) {
    H = config.hidden_size;
    const buf = fs.readFileSync(path.join(dir, config.lattice_lab.embeddings));
    emb = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    check(emb.length === V * H, 'embeddings size');
  }
  const kvh = config.num_key_value_heads ?? config.n_head;
  const hd = config.head_dim ?? config.n_embd / config.n_head;

  async function run(batchIds, pastFeeds, pastLen, delta) {
    const B = batchIds.length,
      S = batchIds[0].length;
    const feeds = {};
    if (lab) {
      const e = new Float32Array(B * S * H);
      batchIds.forEach((ids, b) => ids.forEach((t, i) => e.set(emb.subarray(t * H, (t + 1) * H), (b * S + i) * H)));
      feeds.inputs_embeds = new ort.Tensor('float32', e, [B, S, H]);
      feeds.residual_delta = new ort.Tensor('float32', delta ?? new Float32Array(L * H), [L, H]);
      if (s.inputNames.includes('residual_ablate'))
        feeds.residual_ablate = new ort.Tensor('float32', new Float32Array(L * H), [L, H]);
    } else {
      feeds.input_ids = new ort.Tensor('int64', BigInt64Array.from(batchIds.flat().map(BigInt)), [B, S]);
    }
    feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(B * (pastLen + S)).fill(1n), [B, pastLen + S]);
    const pos = [];
    for (let b = 0; b < B; b++) for (let i = 0; i < S; i++) pos.push(BigInt(pastLen + i));
    if (s.inputNames.includes('position_ids'))
      feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from(pos), [B, S]);
    if (s.inputNames.includes('use_cache_branch')) feeds.use_cache_branch = new ort.Tensor('bool', [pastLen > 0], [1]);
    for (let i = 0; i < L; i++)
      for (const kv of ['key', 'value']) {
        feeds[`past_key_values.${i}.${kv}`] = pastFeeds
          ? pastFeeds[`present.${i}.${kv}`]
          : new ort.Tensor('float32', new Float32Array(0), [B, kvh, 0, hd]);
      }
    return s.run(feeds);
  }
  function rowLogprobs(logits, b, i) {
    const [, S, VV] = logits.dims;
    return logSoftmax(Array.from(logits.data.subarray((b * S + i) * VV, (b * S + i + 1) * VV)));
  }

  let worst = 0;
  for (const seq of ref.sequences) {
    const ids = seq.input_ids,
      n = ids.length;
    const other = ids.map((t) => (t + 3) % V);
    const out = await run([ids, other], null, 0);
    check(out.logits.dims.join() === [2, n, V].join(), 'logits dims ' + out.logits.dims);
    check(out['present.0.key'].dims.join() === [2, kvh, n, hd].join(), 'present dims ' + out['present.0.key'].dims);
    for (let i = 0; i < n; i++) worst = Math.max(worst, maxDiff(rowLogprobs(out.logits, 0, i), seq.logprobs[i]));
    // batch-1 run of the "other" row must equal row 1 of the batch
    const single = await run([other], null, 0);
    for (let i = 0; i < n; i++)
      worst = Math.max(worst, maxDiff(rowLogprobs(single.logits, 0, i), rowLogprobs(out.logits, 1, i)));
    // cached: prefix n-2, then 1 token, then 1 token (batch 2)
    const p1 = await run([ids.slice(0, n - 2), other.slice(0, n - 2)], null, 0);
    const p2 = await run([[ids[n - 2]], [other[n - 2]]], p1, n - 2);
    check(p2['present.0.key'].dims[2] === n - 1, 'present grows');
    const p3 = await run([[ids[n - 1]], [other[n - 1]]], p2, n - 1);
    check(p3['present.1.value'].dims[2] === n, 'present grows 2');
    worst = Math.max(worst, maxDiff(rowLogprobs(p2.logits, 0, 0), seq.logprobs[n - 2]));
    worst = Math.max(worst, maxDiff(rowLogprobs(p3.logits, 0, 0), seq.logprobs[n - 1]));
    worst = Math.max(worst, maxDiff(rowLogprobs(p3.logits, 1, 0), rowLogprobs(out.logits, 1, n - 1)));
    if (lab) {
      const hs = out.hidden_states;
      check(hs.dims.join() === [L + 1, 2, n, H].join(), 'hidden_states dims ' + hs.dims);
      const last = out.last_hidden_state.data.subarray((n - 1) * H, n * H);
      worst = Math.max(worst, maxDiff(last, seq.last_hidden_state_last));
      // lens(hidden_states[L]) == logits
      const lens = await ort.InferenceSession.create(path.join(dir, config.lattice_lab.lens));
      const hL = hs.data.subarray(L * 2 * n * H, (L + 1) * 2 * n * H);
      const lo = await lens.run({ hidden: new ort.Tensor('float32', Float32Array.from(hL), [2 * n, H]) });
      worst = Math.max(worst, maxDiff(lo.logits.data, out.logits.data));
    }
  }
  {
    // attention mask honoured: left-padded row == unpadded run
    const ids = ref.sequences[2].input_ids,
      n = ids.length;
    const B = 2,
      S = n;
    const feedsFor = async (rows, mask, pos) => {
      const feeds = {};
      if (lab) {
        const e = new Float32Array(B * S * H);
        rows.forEach((r, b) => r.forEach((t, i) => e.set(emb.subarray(t * H, (t + 1) * H), (b * S + i) * H)));
        feeds.inputs_embeds = new ort.Tensor('float32', e, [B, S, H]);
        feeds.residual_delta = new ort.Tensor('float32', new Float32Array(L * H), [L, H]);
        if (s.inputNames.includes('residual_ablate'))
          feeds.residual_ablate = new ort.Tensor('float32', new Float32Array(L * H), [L, H]);
      } else feeds.input_ids = new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [B, S]);
      feeds.attention_mask = new ort.Tensor('int64', BigInt64Array.from(mask.flat().map(BigInt)), [B, S]);
      if (s.inputNames.includes('position_ids'))
        feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from(pos.flat().map(BigInt)), [B, S]);
      if (s.inputNames.includes('use_cache_branch')) feeds.use_cache_branch = new ort.Tensor('bool', [false], [1]);
      for (let i = 0; i < L; i++)
        for (const kv of ['key', 'value'])
          feeds[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [B, kvh, 0, hd]);
      return s.run(feeds);
    };
    const padded = [7, 6, ...ids.slice(2)];
    const out = await feedsFor(
      [ids, padded],
      [ids.map(() => 1), ids.map((_, i) => (i < 2 ? 0 : 1))],
      [ids.map((_, i) => i), ids.map((_, i) => Math.max(0, i - 2))],
    );
    const un = await run([ids.slice(2)], null, 0);
    let d = 0;
    for (let i = 2; i < n; i++)
      d = Math.max(d, maxDiff(rowLogprobs(out.logits, 1, i), rowLogprobs(un.logits, 0, i - 2)));
    for (let i = 0; i < n; i++) d = Math.max(d, maxDiff(rowLogprobs(out.logits, 0, i), ref.sequences[2].logprobs[i]));
    check(d <= TOL, 'left padding / attention mask ' + d);
    worst = Math.max(worst, d);
  }
  if (lab && ref.residual_delta_example) {
    const ex = ref.residual_delta_example;
    const out = await run([ex.input_ids], null, 0, Float32Array.from(ex.residual_delta.flat()));
    for (let i = 0; i < ex.input_ids.length; i++)
      worst = Math.max(worst, maxDiff(rowLogprobs(out.logits, 0, i), ex.logprobs[i]));
  }
  check(worst <= TOL, `max |diff| ${worst} > ${TOL}`);
  console.log(`  max |logprob diff| vs torch / cache vs full: ${worst.toExponential(2)}`);
}

for (const d of process.argv.slice(2)) {
  try {
    await smoke(d);
  } catch (e) {
    failures++;
    console.log('  ERROR ' + (e?.message ?? e));
  }
}
console.log(failures ? `${failures} failure(s)` : 'all ok');
process.exit(failures ? 1 : 0);
