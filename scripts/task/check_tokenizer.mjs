// Checks that every prompt/target in task/test.jsonl round-trips through the model's
// tokenizer.json with @huggingface/tokenizers (ids equal to prompt_ids / target_ids).
// Usage (repo root): node scripts/task/check_tokenizer.mjs resources/models/ontology-cot
import fs from 'node:fs';
import path from 'node:path';
const { Tokenizer } = await import(
  path.join(process.cwd(), 'node_modules/@huggingface/tokenizers/dist/tokenizers.mjs')
);
const dir = process.argv[2];
const tok = new Tokenizer(
  JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')),
  JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')),
);
const lines = fs.readFileSync(path.join(dir, 'task/test.jsonl'), 'utf8').split('\n').filter(Boolean);
let bad = 0;
const eq = (a, b) => a.length === b.length && a.every((x, i) => Number(x) === Number(b[i]));
for (const l of lines) {
  const r = JSON.parse(l);
  const p = tok.encode(r.prompt).ids;
  const t = tok.encode(r.target, { add_special_tokens: false }).ids;
  const dp = tok.decode(r.prompt_ids, { skip_special_tokens: true });
  const dt = tok.decode(r.target_ids, { skip_special_tokens: true });
  if (!eq(p, r.prompt_ids) || !eq([...t, r.target_ids.at(-1)], r.target_ids) || dp !== r.prompt || dt !== r.target) {
    if (bad++ < 3) console.log('mismatch', r.id, p, r.prompt_ids, JSON.stringify(dp));
  }
}
console.log(
  `${lines.length} records, ${bad} mismatches; encode("tom is a") =`,
  tok.encode('tom is a').ids,
  'tokens',
  tok.encode('tom is a').tokens,
  'eos id',
  tok.token_to_id('<eos>'),
);
process.exit(bad ? 1 : 0);
