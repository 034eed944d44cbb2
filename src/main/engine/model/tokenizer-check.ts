import { ModelLoadError } from './model-error';

const FILE = 'tokenizer.json';

/** The tokenizer models @huggingface/tokenizers implements for the lab (WordLevel is not among them). */
const MODEL_TYPES = ['BPE', 'WordPiece', 'Unigram'];

function fail(message: string): never {
  throw new ModelLoadError(message, FILE);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function usesByteLevel(part: unknown): boolean {
  return (
    isObject(part) &&
    (part.type === 'ByteLevel' || (Array.isArray(part.pretokenizers) && part.pretokenizers.some(usesByteLevel)))
  );
}

/**
 * Checks tokenizer.json's structure before the library builds it (which accepts an unknown model type and
 * builds tables as large as its largest id) and returns the largest token id it declares.
 */
export function checkTokenizerJson(json: unknown): number {
  if (!isObject(json)) fail('expected a JSON object');
  const model = json.model;
  if (!isObject(model)) fail('model must be an object (the tokenizer model: BPE, WordPiece or Unigram)');
  if (typeof model.type !== 'string' || !MODEL_TYPES.includes(model.type)) {
    fail(`model.type ${JSON.stringify(model.type)} is not supported (one of ${MODEL_TYPES.join(', ')})`);
  }
  let maxId = -1;
  const id = (value: unknown, where: string) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      fail(`${where} must be a non-negative integer token id (got ${JSON.stringify(value)})`);
    maxId = Math.max(maxId, value);
  };
  if (model.type === 'Unigram') {
    if (!Array.isArray(model.vocab)) fail('model.vocab must be an array of [piece, score] pairs for a Unigram model');
    model.vocab.forEach((entry, i) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'number')
        fail(`model.vocab[${i}] must be a [piece, score] pair`);
    });
    maxId = model.vocab.length - 1;
  } else {
    if (!isObject(model.vocab)) fail('model.vocab must be an object of token → id');
    for (const [token, value] of Object.entries(model.vocab)) id(value, `model.vocab[${JSON.stringify(token)}]`);
  }
  if (model.type === 'WordPiece') {
    if (typeof model.unk_token !== 'string' || !(model.unk_token in (model.vocab as Record<string, unknown>))) {
      fail('model.unk_token must name a token of the WordPiece vocabulary');
    }
    if (usesByteLevel(json.pre_tokenizer))
      fail(
        'a WordPiece model with a ByteLevel pre_tokenizer (GPT-2 style) cannot encode text; the model and pre_tokenizer disagree',
      );
  }
  if (json.added_tokens !== undefined && json.added_tokens !== null) {
    if (!Array.isArray(json.added_tokens)) fail('added_tokens must be an array');
    json.added_tokens.forEach((token, i) => {
      if (!isObject(token) || typeof token.content !== 'string')
        fail(`added_tokens[${i}] must be an object with a content string`);
      id(token.id, `added_tokens[${i}].id`);
    });
  }
  if (maxId < 0) fail('the vocabulary is empty');
  return maxId;
}
