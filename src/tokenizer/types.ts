/** Options of Tokenizer.encode. */
export interface EncodeOptions {
  /** Prepend the beginning-of-sequence token (default false; RangeError when the tokenizer has none). */
  bos?: boolean;
  /** Append the end-of-sequence token (default false; RangeError when the tokenizer has none). */
  eos?: boolean;
}

/** Which file format a tokenizer came from: a llama2.c tokenizer .bin or a Hugging Face tokenizer.json. */
export type TokenizerKind = "llama2c" | "hf";

/** A text tokenizer: strings in, Int32Array ids out. Built by loadTokenizer or tokenizerFromFile. */
export interface Tokenizer {
  /** The file format it was loaded from. */
  readonly kind: TokenizerKind;
  /** Number of token ids (every id is in [0, vocabSize)). */
  readonly vocabSize: number;
  /** Beginning-of-sequence id, or -1 when the tokenizer defines none. */
  readonly bosId: number;
  /** End-of-sequence id, or -1 when the tokenizer defines none. */
  readonly eosId: number;
  /** Token ids of `text`. */
  encode(text: string, opts?: EncodeOptions): Int32Array;
  /** The text of `ids`, skipping BOS/EOS and special tokens, as exact UTF-8 (decode(encode(s)) == s). */
  decode(ids: ArrayLike<number>): string;
  /** The vocabulary string of `id` as stored (llama2.c: space for U+2581; byte tokens as "<0xNN>"). */
  idToPiece(id: number): string;
}

/** Throws RangeError unless `id` is an integer token id in [0, vocabSize). */
export function checkId(id: number, vocabSize: number, what: string): void {
  if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new RangeError(`${what}: token id ${id} is not an integer in [0, ${vocabSize})`);
}
