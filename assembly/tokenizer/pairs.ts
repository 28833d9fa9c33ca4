// Merge table: (left id, right id) -> (merged id, priority), open addressing on a 64-bit key.
// A higher priority merges first (llama2.c: the merged token's score; Hugging Face BPE: -rank).
//   keys: u64[cap] (left << 32 | right, 0xffff...ff = empty), merged: i32[cap], prio: f32[cap]
import { grown } from "./mem";
import { tokenLen, tokenPtr, vocabCount, vocabLookup } from "./vocab";

const EMPTY: u64 = 0xffffffffffffffff;
let keys: usize = 0;
let merged: usize = 0;
let prio: usize = 0;
let mask: u32 = 0;
let used: i32 = 0;

// @ts-ignore: decorator
@inline function hashKey(k: u64): u32 {
  k = (k ^ (k >> 33)) * 0xff51afd7ed558ccd;
  k ^= k >> 33;
  return <u32>k;
}

/** Allocates an empty table for up to `n` pairs. */
export function pairsAlloc(n: i32): void {
  const cap = grown(0, max(n, 1) * 2);
  mask = <u32>cap - 1;
  used = 0;
  keys = heap.alloc(<usize>cap << 3);
  merged = heap.alloc(<usize>cap << 2);
  prio = heap.alloc(<usize>cap << 2);
  memory.fill(keys, 0xff, <usize>cap << 3);
}

/** Adds pair (a, b) -> m with priority p; the first entry for a pair wins. Returns false if the table is full. */
export function pairAdd(a: i32, b: i32, m: i32, p: f32): bool {
  if (used * 2 > <i32>mask) return false;
  const k = (<u64>(<u32>a) << 32) | <u64>(<u32>b);
  let s = hashKey(k) & mask;
  while (true) {
    const o = <usize>s;
    const t = load<u64>(keys + (o << 3));
    if (t == EMPTY) {
      store<u64>(keys + (o << 3), k);
      store<i32>(merged + (o << 2), m);
      store<f32>(prio + (o << 2), p);
      used++;
      return true;
    }
    if (t == k) return true;
    s = (s + 1) & mask;
  }
}

/** The slot of pair (a, b), or -1 when the pair does not merge. */
// @ts-ignore: decorator
@inline export function pairFind(a: i32, b: i32): i32 {
  const k = (<u64>(<u32>a) << 32) | <u64>(<u32>b);
  let s = hashKey(k) & mask;
  while (true) {
    const t = load<u64>(keys + (<usize>s << 3));
    if (t == k) return <i32>s;
    if (t == EMPTY) return -1;
    s = (s + 1) & mask;
  }
}

/** Merged id stored in slot `s`. */
// @ts-ignore: decorator
@inline export function pairMerged(s: i32): i32 {
  return load<i32>(merged + (<usize>s << 2));
}

/** Priority stored in slot `s`. */
// @ts-ignore: decorator
@inline export function pairPrio(s: i32): f32 {
  return load<f32>(prio + (<usize>s << 2));
}

/**
 * llama2.c merge rule: any two tokens whose concatenation is a token merge into it, with that token's score
 * as priority (run.c encode()). Enumerates every split point of every token. `scores` is f32[vocabCount];
 * merges whose score is not above `floor` (run.c's -1e10 starting best score) are left out. Returns the
 * number of pairs.
 */
export function pairsFromSplits(scores: usize, floor: f32): i32 {
  const n = vocabCount();
  let total = 0;
  for (let t = 0; t < n; t++) total += max(tokenLen(t) - 1, 0);
  pairsAlloc(total);
  for (let t = 0; t < n; t++) {
    const score = load<f32>(scores + (<usize>t << 2));
    if (!(score > floor)) continue;
    const p = tokenPtr(t), len = tokenLen(t);
    for (let k = 1; k < len; k++) {
      const a = vocabLookup(p, k);
      if (a < 0) continue;
      const b = vocabLookup(p + <usize>k, len - k);
      if (b < 0) continue;
      pairAdd(a, b, t, score);
    }
  }
  return used;
}
