// Hugging Face tokenizer models: BPE only (ranked merges, optional byte_fallback, unk and fuse_unk,
// ignore_merges, and GPT-2 byte-level input). The merge loop runs in Wasm (src/tokenizer/wasm.ts). A
// byte-level vocabulary is handed to Wasm as each piece's raw bytes (Ġ -> 0x20), so a word's UTF-8 finds
// its whole-word token directly (ignore_merges).
import { BYTE_TO_CHAR, CHAR_TO_BYTE } from "./bytelevel.ts";
import { arr, bool, type Json, num, obj, str, tokenId, unknownStage } from "./json.ts";
import { BpeCore, FLAG_BYTE_FALLBACK, FLAG_BYTE_LEVEL, FLAG_FUSE_UNK, FLAG_IGNORE_MERGES } from "../wasm.ts";

/** A tokenizer model: words in, ids out, plus its vocabulary. */
export interface HfModel {
  /** Token ids of each word in turn (merges never cross words). */
  encodeWords(words: readonly string[]): Int32Array;
  /** Piece string by id ("" for ids the model does not define). */
  readonly pieces: readonly string[];
}

const utf8 = new TextEncoder();

/** Builds the model of a tokenizer.json `model` entry; `byteLevel` when a ByteLevel pre-tokenizer feeds it. */
export async function createModel(cfg: unknown, byteLevel: boolean): Promise<HfModel> {
  const c: Json = obj(cfg, "model");
  const type = c.type ?? (c.merges !== undefined ? "BPE" : undefined);
  if (type !== "BPE") throw unknownStage("model", type);
  if (c.dropout !== undefined && c.dropout !== null && num(c.dropout, "model BPE.dropout") > 0) {
    throw new RangeError(`tokenizer.json: model BPE.dropout is ${String(c.dropout)}; only deterministic BPE (dropout null or 0) is supported`);
  }
  for (const k of ["continuing_subword_prefix", "end_of_word_suffix"]) {
    if (c[k] !== undefined && c[k] !== null && c[k] !== "") throw new RangeError(`tokenizer.json: model BPE.${k} is ${JSON.stringify(c[k])}; only null or "" is supported`);
  }
  const vocab = obj(c.vocab, "model BPE.vocab");
  const ids = new Map<string, number>();
  let size = 0;
  for (const [piece, id] of Object.entries(vocab)) {
    const i = tokenId(id, `model BPE.vocab[${JSON.stringify(piece).slice(0, 80)}]`);
    ids.set(piece, i);
    size = Math.max(size, i + 1);
  }
  const pieces: string[] = new Array<string>(size).fill("");
  for (const [piece, id] of ids) pieces[id] = piece;

  const merges = arr(c.merges, "model BPE.merges");
  const left = new Int32Array(merges.length), right = new Int32Array(merges.length), merged = new Int32Array(merges.length);
  for (let i = 0; i < merges.length; i++) {
    const m = merges[i];
    let a: string, b: string;
    if (typeof m === "string") {
      const sp = m.indexOf(" ", 1);
      if (sp < 0) throw new TypeError(`tokenizer.json: model BPE.merges[${i}] is ${JSON.stringify(m)}; expected "left right"`);
      a = m.slice(0, sp);
      b = m.slice(sp + 1);
    } else {
      const pair = arr(m, `model BPE.merges[${i}]`);
      a = str(pair[0], `model BPE.merges[${i}][0]`);
      b = str(pair[1], `model BPE.merges[${i}][1]`);
    }
    const l = ids.get(a), r = ids.get(b), t = ids.get(a + b);
    if (l === undefined || r === undefined || t === undefined) throw new RangeError(`tokenizer.json: model BPE.merges[${i}] (${JSON.stringify(a)}, ${JSON.stringify(b)}) names a piece missing from the vocabulary`);
    left[i] = l;
    right[i] = r;
    merged[i] = t;
  }

  const core = await BpeCore.create(pieces.map((p) => (byteLevel ? rawBytes(p) : utf8.encode(p))));
  core.mergesFromRanks(left, right, merged);
  const byteIds = new Int32Array(256).fill(-1);
  let flags = 0;
  if (byteLevel) {
    flags |= FLAG_BYTE_LEVEL;
    for (let b = 0; b < 256; b++) {
      const id = ids.get(BYTE_TO_CHAR[b]!);
      if (id === undefined) throw new RangeError(`tokenizer.json: ByteLevel model vocabulary lacks the piece for byte ${b} (${JSON.stringify(BYTE_TO_CHAR[b])})`);
      byteIds[b] = id;
    }
  } else if (bool(c.byte_fallback, false, "model BPE.byte_fallback")) {
    flags |= FLAG_BYTE_FALLBACK;
    for (let b = 0; b < 256; b++) byteIds[b] = ids.get(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`) ?? -1;
  }
  if (bool(c.fuse_unk, false, "model BPE.fuse_unk")) flags |= FLAG_FUSE_UNK;
  let unk = -1;
  if (c.unk_token !== undefined && c.unk_token !== null) {
    const u = str(c.unk_token, "model BPE.unk_token");
    unk = ids.get(u) ?? -1;
    if (unk < 0) throw new RangeError(`tokenizer.json: model BPE.unk_token ${JSON.stringify(u)} is not in the vocabulary`);
  }
  if (bool(c.ignore_merges, false, "model BPE.ignore_merges")) flags |= FLAG_IGNORE_MERGES;
  core.configure(byteIds, unk, flags);
  return { pieces, encodeWords: (words) => core.encodeWords(words) };
}

/** The bytes a byte-level piece stands for; a piece with characters outside GPT-2's byte map keeps its UTF-8. */
function rawBytes(piece: string): Uint8Array {
  const out = new Uint8Array(piece.length);
  let n = 0;
  for (const ch of piece) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b === undefined) return utf8.encode(piece);
    out[n++] = b;
  }
  return out.subarray(0, n);
}
