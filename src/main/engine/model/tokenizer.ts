/* eslint-disable @typescript-eslint/no-explicit-any -- tokenizer.json is untyped JSON; its shape is checked by tokenizer-check.ts before it reaches here */
import { Tokenizer, ByteLevelDecoder } from '@huggingface/tokenizers';
import { ModelLoadError } from './model-error';

const BYTE_FALLBACK = /^<0x([0-9A-Fa-f]{2})>$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8', { fatal: false });
const RECENT_ENCODINGS = 16;

export interface TokenText {
  text: string;
  /** hex of the raw bytes, only when they are not valid UTF-8 on their own */
  bytes?: string;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function usesByteLevel(json: Record<string, any>): boolean {
  const has = (part: any): boolean =>
    !!part && (part.type === 'ByteLevel' || (Array.isArray(part.decoders) && part.decoders.some(has)));
  return has(json.decoder);
}

/** tokenizer.json through @huggingface/tokenizers, plus lossless per-token text for the tree. */
export class LabTokenizer {
  readonly vocabSize: number;
  private readonly tokenizer: Tokenizer;
  private readonly byteDecoder: Record<string, number> | null;
  private readonly tokenTexts = new Map<number, TokenText>();
  /** the last few texts encoded: a comparison runs several strategies on one prompt, and a researcher re-runs it */
  private readonly recentEncodings = new Map<string, number[]>();
  private readonly specialIds: Set<number>;

  constructor(json: Record<string, any>, tokenizerConfig: Record<string, any> = {}) {
    this.tokenizer = new Tokenizer(json, tokenizerConfig);
    const vocab = this.tokenizer.get_vocab(true);
    let maxId = -1;
    for (const id of vocab.values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.byteDecoder = usesByteLevel(json) ? new ByteLevelDecoder({ type: 'ByteLevel' } as any).byte_decoder : null;
    this.specialIds = new Set(
      (Array.isArray(json.added_tokens) ? json.added_tokens : []).filter((t: any) => t.special).map((t: any) => t.id),
    );
  }

  encode(text: string, addSpecialTokens = true): number[] {
    const key = `${addSpecialTokens ? 1 : 0}${text}`;
    let ids = this.recentEncodings.get(key);
    if (ids) {
      // the most recently used last, so that the first key is the one to drop
      this.recentEncodings.delete(key);
    } else {
      ids = this.encodeNow(text, addSpecialTokens);
      if (this.recentEncodings.size >= RECENT_ENCODINGS)
        this.recentEncodings.delete(this.recentEncodings.keys().next().value!);
    }
    this.recentEncodings.set(key, ids);
    return [...ids];
  }

  private encodeNow(text: string, addSpecialTokens: boolean): number[] {
    const ids = this.tokenizer.encode(text, { add_special_tokens: addSpecialTokens }).ids;
    const missing = ids.findIndex((id) => !Number.isInteger(id));
    if (missing >= 0) {
      // the library yields `undefined` for a piece its model cannot map (e.g. no unknown token): say so here,
      // not as a BigInt conversion error deep in a forward pass
      throw new ModelLoadError(
        `the tokenizer cannot encode this text (no token id for piece ${missing + 1} of ${ids.length})`,
        'tokenizer.json',
      );
    }
    return ids;
  }

  decode(ids: number[], skipSpecialTokens = false): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: skipSpecialTokens });
  }

  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  tokenString(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }

  tokenId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  /** The token's own text; a token that is part of a multi-byte character keeps its bytes in hex. */
  tokenText(id: number): TokenText {
    let cached = this.tokenTexts.get(id);
    if (!cached) {
      cached = this.computeTokenText(id);
      this.tokenTexts.set(id, cached);
    }
    return cached;
  }

  private computeTokenText(id: number): TokenText {
    const token = this.tokenizer.id_to_token(id);
    if (token === undefined) return { text: `<${id}>` };
    const raw = this.rawBytes(token);
    if (!raw) return { text: this.tokenizer.decode([id], { skip_special_tokens: false }) };
    try {
      return { text: strictUtf8.decode(raw) };
    } catch {
      return { text: lenientUtf8.decode(raw), bytes: toHex(raw) };
    }
  }

  private rawBytes(token: string): Uint8Array | null {
    const fallback = BYTE_FALLBACK.exec(token);
    if (fallback) return Uint8Array.of(parseInt(fallback[1]!, 16));
    if (this.byteDecoder && !this.specialIds.has(this.tokenizer.token_to_id(token) ?? -1)) {
      const bytes = [...token].map((c) => this.byteDecoder![c]);
      if (bytes.every((b) => b !== undefined)) return Uint8Array.from(bytes as number[]);
    }
    return null;
  }
}
