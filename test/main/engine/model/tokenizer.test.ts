import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabTokenizer } from '../../../../src/main/engine/model/tokenizer';
import { fixturePath } from '../../../helpers/fixtures';

const json = () => JSON.parse(fs.readFileSync(path.join(fixturePath('hf-gpt2-tiny'), 'tokenizer.json'), 'utf8'));

describe('the tokenizer', () => {
  it('encodes a text again as the library does, from its recent encodings, whatever the caller did with the last result', () => {
    const remembering = new LabTokenizer(json());
    // texts beyond the number remembered, each encoded twice, some with special tokens and some without
    const texts = Array.from({ length: 40 }, (_, i) => `the quick brown fox ${'jumps '.repeat(i % 7)}${i}`);
    for (const round of [0, 1]) {
      for (const [i, text] of texts.entries()) {
        const special = i % 3 !== 0;
        const fresh = new LabTokenizer(json()).encode(text, special);
        const ids = remembering.encode(text, special);
        expect(ids, `round ${round}, text ${i}`).toEqual(fresh);
        ids.push(-1);
        ids[0] = -1;
        expect(remembering.encode(text, special), `round ${round}, text ${i} after changing the result`).toEqual(fresh);
      }
    }
  });
});
