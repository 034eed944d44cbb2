// Checks the bundled model folder against its reference.json with onnxruntime-node:
// full pass (gold log-probs, full vocab rows, last_hidden_state), cached greedy decoding
// (must equal torch greedy_ids, and cached log-probs must match the full pass),
// the residual_delta example, and lens(hidden_states[L]) == logits.
// Usage (repo root): node scripts/model/check_bundled.mjs resources/models/ontology-cot
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(path.join(process.cwd(), 'package.json'));
const ort = require('onnxruntime-node');

const dir = process.argv[2];
const TOL = 1e-4;
const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'));
const H = config.hidden_size,
  L = config.num_hidden_layers,
  V = config.vocab_size;
const kvh = config.num_key_value_heads,
  hd = config.head_dim;
const buf = fs.readFileSync(path.join(dir, config.lattice_lab.embeddings));
const emb = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const s = await ort.InferenceSession.create(path.join(dir, 'onnx/model.onnx'));
const lens = await ort.InferenceSession.create(path.join(dir, config.lattice_lab.lens));
console.log('inputs ', s.inputNames.join(' '));
console.log('outputs', s.outputNames.join(' '));
let worst = 0,
  fails = 0;
const upd = (d) => {
  worst = Math.max(worst, d);
};
const maxDiff = (a, b) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};
function logSoftmaxRow(data, off, n) {
  let m = -Infinity;
  for (let i = 0; i < n; i++) m = Math.max(m, data[off + i]);
  let z = 0;
  for (let i = 0; i < n; i++) z += Math.exp(data[off + i] - m);
  const lse = m + Math.log(z);
  const r = new Array(n);
  for (let i = 0; i < n; i++) r[i] = data[off + i] - lse;
  return r;
}
async function run(ids, past, pastLen, delta) {
  const S = ids.length;
  const e = new Float32Array(S * H);
  ids.forEach((t, i) => e.set(emb.subarray(t * H, (t + 1) * H), i * H));
  const feeds = {
    inputs_embeds: new ort.Tensor('float32', e, [1, S, H]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(pastLen + S).fill(1n), [1, pastLen + S]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map((_, i) => BigInt(pastLen + i))), [1, S]),
    residual_delta: new ort.Tensor('float32', delta ?? new Float32Array(L * H), [L, H]),
  };
  if (s.inputNames.includes('residual_ablate'))
    feeds.residual_ablate = new ort.Tensor('float32', new Float32Array(L * H), [L, H]);
  for (let i = 0; i < L; i++)
    for (const kv of ['key', 'value'])
      feeds[`past_key_values.${i}.${kv}`] = past
        ? past[`present.${i}.${kv}`]
        : new ort.Tensor('float32', new Float32Array(0), [1, kvh, 0, hd]);
  return s.run(feeds);
}
for (const ex of ref.examples) {
  const ids = ex.input_ids,
    n = ids.length;
  const out = await run(ids, null, 0);
  const lp = (j) => logSoftmaxRow(out.logits.data, j * V, V);
  upd(
    maxDiff(
      ex.gold_logprobs,
      ex.gold_logprobs.map((_, j) => lp(j)[ids[j + 1]]),
    ),
  );
  for (const [p, row] of Object.entries(ex.full_logprobs)) upd(maxDiff(row, lp(Number(p))));
  upd(maxDiff(ex.last_hidden_state_last, out.last_hidden_state.data.subarray((n - 1) * H, n * H)));
  const hL = out.hidden_states.data.subarray(L * n * H, (L + 1) * n * H);
  const lo = await lens.run({ hidden: new ort.Tensor('float32', Float32Array.from(hL), [n, H]) });
  upd(maxDiff(lo.logits.data, out.logits.data));
  // cached greedy from the prompt
  const P = ex.prompt_length;
  let r = await run(ids.slice(0, P), null, 0);
  let past = r,
    len = P;
  const gen = [];
  let row = logSoftmaxRow(r.logits.data, (P - 1) * V, V);
  upd(maxDiff(row, lp(P - 1)));
  for (let step = 0; step < 64; step++) {
    let best = 0;
    for (let v = 1; v < V; v++) if (row[v] > row[best]) best = v;
    gen.push(best);
    if (best === config.eos_token_id) break;
    r = await run([best], past, len);
    past = r;
    len += 1;
    row = logSoftmaxRow(r.logits.data, 0, V);
  }
  if (gen.join() !== ex.greedy_ids.join()) {
    fails++;
    console.log('greedy mismatch', ex.id, gen, ex.greedy_ids);
  }
  // cached teacher forcing of the gold continuation equals the full pass
  r = await run(ids.slice(0, P), null, 0);
  past = r;
  len = P;
  for (let j = P; j < n - 1; j++) {
    r = await run([ids[j]], past, len);
    past = r;
    len += 1;
    upd(Math.abs(logSoftmaxRow(r.logits.data, 0, V)[ids[j + 1]] - ex.gold_logprobs[j]));
  }
}
const rd = ref.residual_delta_example;
if (rd) {
  const out = await run(rd.input_ids, null, 0, Float32Array.from(rd.residual_delta.flat()));
  const n = rd.input_ids.length;
  upd(
    maxDiff(
      rd.gold_logprobs,
      rd.gold_logprobs.map((_, j) => logSoftmaxRow(out.logits.data, j * V, V)[rd.input_ids[j + 1]]),
    ),
  );
  upd(maxDiff(rd.last_hidden_state_last, out.last_hidden_state.data.subarray((n - 1) * H, n * H)));
}
if (worst > TOL) fails++;
console.log(`max |diff| ${worst.toExponential(2)} (tol ${TOL}); ${fails ? fails + ' failure(s)' : 'ok'}`);
process.exit(fails ? 1 : 0);
