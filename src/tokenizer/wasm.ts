// The boundary to the Wasm tokenizer core (assembly/tokenizer): one instance per tokenizer, fed strings and
// returning Int32Array ids. Nothing outside src/tokenizer sees Wasm pointers.
import { WASM } from "../gen/wasm.ts";

/** encode flag: each input byte is one initial symbol, the byte table's id (GPT-2 ByteLevel). */
export const FLAG_BYTE_LEVEL = 1;
/** encode flag: consecutive unknown characters become one unk token. */
export const FLAG_FUSE_UNK = 2;
/** encode flag: a character missing from the vocabulary becomes its bytes' fallback tokens. */
export const FLAG_BYTE_FALLBACK = 4;
/** encode flag: a word whose bytes are a vocabulary token is that token, unmerged (BPE ignore_merges). */
export const FLAG_IGNORE_MERGES = 8;

interface Exports {
  memory: WebAssembly.Memory;
  vocabAlloc(n: number, bytes: number): number;
  vocabOffsets(): number;
  vocabBuild(): void;
  vocabLookup(p: number, len: number): number;
  pairsAlloc(n: number): void;
  pairAdd(a: number, b: number, m: number, p: number): number;
  pairsFromSplits(scores: number, floor: number): number;
  inputReserve(n: number): number;
  wordsReserve(n: number): number;
  outputPtr(): number;
  byteTable(): number;
  setUnk(id: number): void;
  encode(nWords: number, flags: number, prefixId: number): number;
}

let compiled: Promise<WebAssembly.Module> | undefined;
function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const utf8 = new TextEncoder();

/** A Wasm BPE core: vocabulary (bytes <-> id), merge table and merge loop. Create with BpeCore.create. */
export class BpeCore {
  readonly #x: Exports;
  #flags = 0;

  private constructor(x: Exports) {
    this.#x = x;
  }

  /** Instantiates the core with `pieces` (UTF-8 bytes of each token, by id) as vocabulary. */
  static async create(pieces: readonly Uint8Array[]): Promise<BpeCore> {
    const bytes = WASM.tokenizer;
    if (bytes === undefined) throw new Error("BpeCore.create: src/gen/wasm.ts has no 'tokenizer' module; run the build (node build/all.mjs)");
    compiled ??= WebAssembly.compile(decodeBase64(bytes));
    const inst = await WebAssembly.instantiate(await compiled, { env: { abort: wasmAbort } });
    const core = new BpeCore(inst.exports as unknown as Exports);
    core.#setVocab(pieces);
    return core;
  }

  #setVocab(pieces: readonly Uint8Array[]): void {
    const x = this.#x;
    let total = 0;
    for (const p of pieces) total += p.length;
    const arena = x.vocabAlloc(pieces.length, total);
    const offsetsPtr = x.vocabOffsets();
    const mem = new Uint8Array(x.memory.buffer);
    const offsets = new Int32Array(x.memory.buffer, offsetsPtr, pieces.length + 1);
    let o = 0;
    for (let i = 0; i < pieces.length; i++) {
      offsets[i] = o;
      mem.set(pieces[i]!, arena + o);
      o += pieces[i]!.length;
    }
    offsets[pieces.length] = o;
    x.vocabBuild();
  }

  /** The id of the token whose UTF-8 bytes are those of `s`, or -1. */
  lookup(s: string): number {
    const x = this.#x;
    const b = utf8.encode(s);
    const p = x.inputReserve(b.length);
    new Uint8Array(x.memory.buffer, p, b.length).set(b);
    return x.vocabLookup(p, b.length);
  }

  /** llama2.c merges: any two tokens whose concatenation is a token with score > floor, by that score. */
  mergesFromScores(scores: Float32Array, floor: number): number {
    const x = this.#x;
    const p = x.inputReserve(scores.byteLength);
    new Float32Array(x.memory.buffer, p, scores.length).set(scores);
    return x.pairsFromSplits(p, floor);
  }

  /** Hugging Face merges: pair i (left id, right id, merged id) gets priority -i (lower rank first). */
  mergesFromRanks(left: Int32Array, right: Int32Array, merged: Int32Array): void {
    const x = this.#x;
    x.pairsAlloc(left.length);
    for (let i = 0; i < left.length; i++) x.pairAdd(left[i]!, right[i]!, merged[i]!, -i);
  }

  /** Sets the 256-entry byte table (initial ids for byte-level BPE, or byte-fallback ids), the unk id and flags. */
  configure(byteIds: Int32Array, unkId: number, flags: number): void {
    if (byteIds.length !== 256) throw new RangeError(`BpeCore.configure: byteIds has ${byteIds.length} entries; expected 256`);
    new Int32Array(this.#x.memory.buffer, this.#x.byteTable(), 256).set(byteIds);
    this.#x.setUnk(unkId);
    this.#flags = flags;
  }

  /** Encodes each word separately (merges never cross words); `prefixId` >= 0 joins the first word's merges. */
  encodeWords(words: readonly string[], prefixId = -1): Int32Array {
    const x = this.#x;
    let need = 0;
    for (const w of words) need += w.length * 3;
    if (need > 3 * MAX_ENCODE_CHARS) {
      throw new RangeError(`tokenizer: a text of about ${Math.round(need / 3)} characters is longer than the ${MAX_ENCODE_CHARS} one encode call takes; split it (no prompt or training record is this long)`);
    }
    let p = x.inputReserve(need);
    const wp = x.wordsReserve(words.length);
    const mem = new Uint8Array(x.memory.buffer);
    const ends = new Int32Array(x.memory.buffer, wp, words.length);
    let o = 0;
    for (let i = 0; i < words.length; i++) {
      o += utf8.encodeInto(words[i]!, mem.subarray(p + o)).written;
      ends[i] = o;
    }
    const n = x.encode(words.length, this.#flags, prefixId);
    p = x.outputPtr();
    return new Int32Array(x.memory.buffer, p, n).slice();
  }
}

/** The longest text (UTF-16 code units) one encode call takes: its Wasm buffers stay well inside the memory limit. */
export const MAX_ENCODE_CHARS = 1 << 24;

function wasmAbort(msg: number, file: number, line: number, col: number): never {
  throw new Error(`tokenizer Wasm aborted at ${line}:${col} (message ${msg}, file ${file})`);
}
