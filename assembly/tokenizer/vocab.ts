// Vocabulary: token id -> bytes (an arena plus offsets) and bytes -> token id (open-addressing hash table).
//   arena:   u8[arenaBytes]   all token strings concatenated, in id order
//   offsets: i32[n + 1]       token i is arena[offsets[i] .. offsets[i + 1])
//   table:   i32[cap]         token ids, -1 = empty; cap a power of two >= 2n
import { grown } from "./mem";

let arena: usize = 0;
let offsets: usize = 0;
let table: usize = 0;
let count: i32 = 0;
let mask: u32 = 0;

/** FNV-1a over `len` bytes at `p`. */
// @ts-ignore: decorator
@inline export function hashBytes(p: usize, len: i32): u32 {
  let h: u32 = 2166136261;
  for (let i = 0; i < len; i++) h = (h ^ <u32>load<u8>(p + <usize>i)) * 16777619;
  return h;
}

/** Allocates the vocabulary for `n` tokens of `bytes` total; returns the arena pointer (offsets via vocabOffsets). */
export function vocabAlloc(n: i32, bytes: i32): usize {
  count = n;
  arena = heap.alloc(<usize>max(bytes, 1));
  offsets = heap.alloc(<usize>(n + 1) << 2);
  return arena;
}

/** Pointer to the i32[n + 1] offsets the host fills before vocabBuild. */
export function vocabOffsets(): usize {
  return offsets;
}

/** Number of tokens. */
export function vocabCount(): i32 {
  return count;
}

/** Start of token `id` in the arena. */
// @ts-ignore: decorator
@inline export function tokenPtr(id: i32): usize {
  return arena + <usize>load<i32>(offsets + (<usize>id << 2));
}

/** Byte length of token `id`. */
// @ts-ignore: decorator
@inline export function tokenLen(id: i32): i32 {
  const o = offsets + (<usize>id << 2);
  return load<i32>(o + 4) - load<i32>(o);
}

function equalBytes(a: usize, b: usize, len: i32): bool {
  for (let i = 0; i < len; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}

/** Builds the bytes -> id table. A string that occurs twice keeps its lowest id. */
export function vocabBuild(): void {
  const cap = grown(0, count * 2);
  mask = <u32>cap - 1;
  table = heap.alloc(<usize>cap << 2);
  memory.fill(table, 0xff, <usize>cap << 2);
  for (let id = 0; id < count; id++) {
    const p = tokenPtr(id), len = tokenLen(id);
    let s = hashBytes(p, len) & mask;
    while (true) {
      const t = load<i32>(table + (<usize>s << 2));
      if (t < 0) {
        store<i32>(table + (<usize>s << 2), id);
        break;
      }
      if (tokenLen(t) == len && equalBytes(tokenPtr(t), p, len)) break;
      s = (s + 1) & mask;
    }
  }
}

/** The id of the token whose bytes are `len` bytes at `p`, or -1. */
export function vocabLookup(p: usize, len: i32): i32 {
  let s = hashBytes(p, len) & mask;
  while (true) {
    const t = load<i32>(table + (<usize>s << 2));
    if (t < 0) return -1;
    if (tokenLen(t) == len && equalBytes(tokenPtr(t), p, len)) return t;
    s = (s + 1) & mask;
  }
}
