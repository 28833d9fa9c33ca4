// llama2.c tokenizer files (tokenizer.bin, tok512.bin): int32 max_token_length, then per token f32 score,
// int32 byte length, UTF-8 bytes (a space stands for U+2581). Encoding follows run.c encode(): a dummy-prefix
// space, one symbol per UTF-8 character (its bytes' tokens 3 + byte when the character is not a token),
// then repeated merges of the adjacent pair whose concatenation is the highest-scoring token (leftmost on
// ties), BOS taking part in the merges as in run.c. The merge loop runs in Wasm (src/tokenizer/wasm.ts).
import { checkId, type EncodeOptions, type Tokenizer } from "./types.ts";
import { BpeCore, FLAG_BYTE_FALLBACK } from "./wasm.ts";

/** run.c's fixed ids. */
export const LLAMA2C_BOS = 1;
export const LLAMA2C_EOS = 2;
/** Byte b's fallback token is 3 + b (run.c encode). */
const BYTE_OFFSET = 3;
/** run.c starts its best score at -1e10 (as a float): merges scoring no higher never happen. */
const SCORE_FLOOR = Math.fround(-1e10);

/** Parsed contents of a llama2.c tokenizer file. */
export interface Llama2cVocab {
  /** The header's max_token_length. */
  maxTokenLength: number;
  /** UTF-8 bytes of each token, by id. */
  pieces: Uint8Array[];
  /** Merge score of each token, by id. */
  scores: Float32Array;
}

/** Parses a llama2.c tokenizer file; throws RangeError naming the offset when it is truncated. */
export function parseLlama2cVocab(bytes: Uint8Array): Llama2cVocab {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) throw new RangeError(`llama2.c tokenizer: ${bytes.length} bytes; expected at least a 4-byte header`);
  const maxTokenLength = dv.getInt32(0, true);
  const pieces: Uint8Array[] = [];
  const scores: number[] = [];
  let o = 4;
  while (o < bytes.length) {
    if (o + 8 > bytes.length) throw new RangeError(`llama2.c tokenizer: token ${pieces.length} header at byte ${o} runs past the end (${bytes.length} bytes)`);
    const score = dv.getFloat32(o, true);
    const len = dv.getInt32(o + 4, true);
    if (len < 0 || o + 8 + len > bytes.length) throw new RangeError(`llama2.c tokenizer: token ${pieces.length} at byte ${o} has length ${len}; expected 0..${bytes.length - o - 8}`);
    pieces.push(bytes.subarray(o + 8, o + 8 + len));
    scores.push(score);
    o += 8 + len;
  }
  if (pieces.length < BYTE_OFFSET + 256) throw new RangeError(`llama2.c tokenizer: ${pieces.length} tokens; expected at least ${BYTE_OFFSET + 256} (specials and 256 byte tokens)`);
  return { maxTokenLength, pieces, scores: Float32Array.from(scores) };
}

const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const BYTE_PIECE = /^<0x([0-9A-F]{2})>$/;

/** A llama2.c tokenizer; build with Llama2cTokenizer.create. */
export class Llama2cTokenizer implements Tokenizer {
  readonly kind = "llama2c" as const;
  readonly vocabSize: number;
  readonly bosId = LLAMA2C_BOS;
  readonly eosId = LLAMA2C_EOS;
  readonly #core: BpeCore;
  readonly #pieces: Uint8Array[];
  readonly #bytePiece: Int16Array; // id -> byte value for "<0xNN>" tokens, -1 otherwise

  private constructor(core: BpeCore, vocab: Llama2cVocab) {
    this.#core = core;
    this.#pieces = vocab.pieces;
    this.vocabSize = vocab.pieces.length;
    this.#bytePiece = new Int16Array(this.vocabSize).fill(-1);
    for (let i = 0; i < this.vocabSize; i++) {
      const p = vocab.pieces[i]!;
      if (p.length !== 6) continue;
      const m = BYTE_PIECE.exec(utf8Decoder.decode(p));
      if (m) this.#bytePiece[i] = parseInt(m[1]!, 16);
    }
  }

  /** Loads a llama2.c tokenizer file's bytes. */
  static async create(bytes: Uint8Array): Promise<Llama2cTokenizer> {
    const vocab = parseLlama2cVocab(bytes);
    const core = await BpeCore.create(vocab.pieces);
    core.mergesFromScores(vocab.scores, SCORE_FLOOR);
    const byteIds = new Int32Array(256);
    for (let b = 0; b < 256; b++) byteIds[b] = BYTE_OFFSET + b;
    core.configure(byteIds, -1, FLAG_BYTE_FALLBACK);
    return new Llama2cTokenizer(core, vocab);
  }

  /** run.c encode(): dummy-prefix space when text is not empty, BOS/EOS on request. */
  encode(text: string, opts: EncodeOptions = {}): Int32Array {
    const bos = opts.bos ?? false, eos = opts.eos ?? false;
    let ids = text.length > 0 ? this.#core.encodeWords([" " + text], bos ? LLAMA2C_BOS : -1) : Int32Array.of(...(bos ? [LLAMA2C_BOS] : []));
    if (eos) {
      const out = new Int32Array(ids.length + 1);
      out.set(ids);
      out[ids.length] = LLAMA2C_EOS;
      ids = out;
    }
    return ids;
  }

  /**
   * run.c decode(prev, id): the bytes `id` prints after `prev`; a leading space is dropped after BOS and
   * "<0xNN>" tokens are the raw byte.
   */
  decodePiece(prev: number, id: number): Uint8Array {
    checkId(id, this.vocabSize, "Llama2cTokenizer.decodePiece");
    const b = this.#bytePiece[id]!;
    if (b >= 0) return Uint8Array.of(b);
    const p = this.#pieces[id]!;
    return prev === LLAMA2C_BOS && p[0] === 0x20 ? p.subarray(1) : p;
  }

  /** The exact UTF-8 text of `ids`: BOS/EOS skipped, the dummy-prefix space of the first piece dropped. */
  decode(ids: ArrayLike<number>): string {
    const parts: Uint8Array[] = [];
    let total = 0;
    let prev = LLAMA2C_BOS; // the start of the text behaves like "after BOS"
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id === LLAMA2C_BOS || id === LLAMA2C_EOS) {
        if (id === LLAMA2C_BOS) prev = id;
        continue;
      }
      const p = this.decodePiece(prev, id);
      parts.push(p);
      total += p.length;
      prev = id;
    }
    const all = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return new TextDecoder("utf-8", { ignoreBOM: true }).decode(all);
  }

  /** The stored piece of `id` (space for U+2581, "<0xNN>" for byte tokens). */
  idToPiece(id: number): string {
    checkId(id, this.vocabSize, "Llama2cTokenizer.idToPiece");
    return utf8Decoder.decode(this.#pieces[id]!);
  }
}
