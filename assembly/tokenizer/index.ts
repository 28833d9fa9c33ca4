// Tokenizer core in Wasm: a byte-string vocabulary, a merge table and the BPE merge loop. The host (src/
// tokenizer/wasm.ts) writes UTF-8 into the input buffer and word ends into the words buffer, calls encode,
// and reads token ids from the output buffer. One instance holds one tokenizer.
//   input:  u8[inCap]      the UTF-8 bytes of all words, concatenated
//   words:  i32[nWords]    end offset (exclusive) of each word in input
//   output: i32[inCap + 1] token ids
//   bytes:  i32[256]       initial id of each byte (byte-level BPE) or its fallback token (-1 = none)
import { bpeMerge, symbolSet, symbolsReserve } from "./bpe";
import { ensure, grown } from "./mem";
import { vocabLookup } from "./vocab";

export { vocabAlloc, vocabBuild, vocabCount, vocabLookup, vocabOffsets } from "./vocab";
export { pairAdd, pairsAlloc, pairsFromSplits } from "./pairs";

/** encode flag: each input byte is one initial symbol, bytes[b] (GPT-2 ByteLevel). */
export const FLAG_BYTE_LEVEL: i32 = 1;
/** encode flag: consecutive unknown characters become one unk token. */
export const FLAG_FUSE_UNK: i32 = 2;
/** encode flag: a character missing from the vocabulary becomes its bytes' tokens bytes[b]. */
export const FLAG_BYTE_FALLBACK: i32 = 4;
/** encode flag: a word whose bytes are a vocabulary token is that token, unmerged (BPE ignore_merges). */
export const FLAG_IGNORE_MERGES: i32 = 8;

let inCap: i32 = 0;
let input: usize = 0;
let output: usize = 0;
let wordCap: i32 = 0;
let words: usize = 0;
const byteIds: usize = heap.alloc(256 << 2);
let unkId: i32 = -1;

/** Pointer to at least `n` input bytes (the output buffer grows with it). Invalidates older pointers. */
export function inputReserve(n: i32): usize {
  if (n > inCap) {
    inCap = grown(inCap, n);
    input = ensure(0, 0, inCap);
    output = ensure(0, 0, (inCap + 1) << 2);
  }
  return input;
}

/** Pointer to room for `n` word ends (i32). */
export function wordsReserve(n: i32): usize {
  if (n > wordCap) {
    wordCap = grown(wordCap, n);
    words = ensure(0, 0, wordCap << 2);
  }
  return words;
}

/** Pointer to the ids written by the last encode. */
export function outputPtr(): usize {
  return output;
}

/** Pointer to the i32[256] byte table the host fills. */
export function byteTable(): usize {
  return byteIds;
}

/** Sets the unknown-token id (-1: unknown characters are dropped). */
export function setUnk(id: i32): void {
  unkId = id;
}

/** Initial symbols of input[start, end) as characters (UTF-8 sequences of at most 4 bytes, as run.c groups them). */
function charSymbols(start: i32, end: i32, n0: i32, flags: i32): i32 {
  let n = n0;
  let i = start;
  let unkLen = 0; // bytes covered by the unk symbol n - 1 when it may absorb the next unknown character
  while (i < end) {
    let j = i + 1;
    while (j < end && j - i < 4 && (load<u8>(input + <usize>j) & 0xc0) == 0x80) j++;
    const id = vocabLookup(input + <usize>i, j - i);
    if (id >= 0) {
      symbolSet(n++, id, j - i);
      unkLen = 0;
    } else if (fallbackOk(i, j, flags)) {
      for (let k = i; k < j; k++) symbolSet(n++, byteId(load<u8>(input + <usize>k)), 1);
      unkLen = 0;
    } else if (unkId >= 0) {
      if (unkLen > 0) {
        unkLen += j - i;
        symbolSet(n - 1, unkId, unkLen);
      } else {
        symbolSet(n++, unkId, j - i);
        if ((flags & FLAG_FUSE_UNK) != 0) unkLen = j - i;
      }
    }
    i = j;
  }
  return n;
}

// @ts-ignore: decorator
@inline function byteId(b: u8): i32 {
  return load<i32>(byteIds + (<usize>b << 2));
}

/** Every byte of input[i, j) has a fallback token and FLAG_BYTE_FALLBACK is set. */
function fallbackOk(i: i32, j: i32, flags: i32): bool {
  if ((flags & FLAG_BYTE_FALLBACK) == 0) return false;
  for (let k = i; k < j; k++) if (byteId(load<u8>(input + <usize>k)) < 0) return false;
  return true;
}

/**
 * Encodes `nWords` words (input bytes, word ends in the words buffer) into the output buffer and returns
 * the number of ids. `prefixId` >= 0 is a symbol placed before the first word that takes part in its
 * merges (run.c merges over BOS too). Flags: FLAG_BYTE_LEVEL, FLAG_FUSE_UNK, FLAG_BYTE_FALLBACK, FLAG_IGNORE_MERGES
 * (whole-word lookup in the vocabulary, whose byte strings are then the words' raw bytes).
 */
export function encode(nWords: i32, flags: i32, prefixId: i32): i32 {
  let outN = 0;
  let start = 0;
  for (let w = 0; w < nWords; w++) {
    const end = load<i32>(words + (<usize>w << 2));
    if ((flags & FLAG_IGNORE_MERGES) != 0 && !(w == 0 && prefixId >= 0)) {
      const whole = vocabLookup(input + <usize>start, end - start);
      if (whole >= 0) {
        store<i32>(output + (<usize>outN << 2), whole);
        outN++;
        start = end;
        continue;
      }
    }
    symbolsReserve(end - start + 1);
    let n = 0;
    if (w == 0 && prefixId >= 0) symbolSet(n++, prefixId, 1);
    if ((flags & FLAG_BYTE_LEVEL) != 0) {
      for (let i = start; i < end; i++) symbolSet(n++, byteId(load<u8>(input + <usize>i)), 1);
    } else {
      n = charSymbols(start, end, n, flags);
    }
    outN += bpeMerge(n, output + (<usize>outN << 2));
    start = end;
  }
  return outN;
}
