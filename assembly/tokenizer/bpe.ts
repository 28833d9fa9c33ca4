// Byte-pair merging of one word: the highest-priority adjacent pair merges first, the leftmost among equal
// priorities (run.c encode() and Hugging Face BPE both choose so), using a binary heap and a linked list
// instead of rescanning, so a word of n symbols costs O(n log n).
//   sym_id, sym_len (input bytes covered; 0 = merged away), sym_prev, sym_next: i32[n]
//   heap entries: left symbol i32, right symbol i32, combined length i32, priority f32 (parallel arrays)
import { ensure, grown } from "./mem";
import { pairFind, pairMerged, pairPrio } from "./pairs";

let cap: i32 = 0;
let symId: usize = 0;
let symLen: usize = 0;
let symPrev: usize = 0;
let symNext: usize = 0;
let hLeft: usize = 0;
let hRight: usize = 0;
let hLen: usize = 0;
let hPrio: usize = 0;
let hSize: i32 = 0;

/** Makes room for `n` symbols (and at most n heap entries per merge round: 3n in all). */
export function symbolsReserve(n: i32): void {
  if (n <= cap) return;
  const c = grown(cap, n);
  symId = ensure(0, 0, c << 2);
  symLen = ensure(0, 0, c << 2);
  symPrev = ensure(0, 0, c << 2);
  symNext = ensure(0, 0, c << 2);
  hLeft = ensure(0, 0, c * 12);
  hRight = ensure(0, 0, c * 12);
  hLen = ensure(0, 0, c * 12);
  hPrio = ensure(0, 0, c * 12);
  cap = c;
}

// @ts-ignore: decorator
@inline function ld(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function st(base: usize, i: i32, v: i32): void {
  store<i32>(base + (<usize>i << 2), v);
}

/** Sets symbol i (id, covered bytes); links are set by bpeMerge. */
// @ts-ignore: decorator
@inline export function symbolSet(i: i32, id: i32, len: i32): void {
  st(symId, i, id);
  st(symLen, i, len);
}

/** Entry a ranks before entry b: higher priority, then the leftmost left symbol. */
// @ts-ignore: decorator
@inline function before(a: i32, b: i32): bool {
  const pa = load<f32>(hPrio + (<usize>a << 2)), pb = load<f32>(hPrio + (<usize>b << 2));
  return pa > pb || (pa == pb && ld(hLeft, a) < ld(hLeft, b));
}

function swap(a: i32, b: i32): void {
  let t = ld(hLeft, a); st(hLeft, a, ld(hLeft, b)); st(hLeft, b, t);
  t = ld(hRight, a); st(hRight, a, ld(hRight, b)); st(hRight, b, t);
  t = ld(hLen, a); st(hLen, a, ld(hLen, b)); st(hLen, b, t);
  const f = load<f32>(hPrio + (<usize>a << 2));
  store<f32>(hPrio + (<usize>a << 2), load<f32>(hPrio + (<usize>b << 2)));
  store<f32>(hPrio + (<usize>b << 2), f);
}

/** Pushes the pair (l, r) if it merges. */
function tryPush(l: i32, r: i32): void {
  const s = pairFind(ld(symId, l), ld(symId, r));
  if (s < 0) return;
  let i = hSize++;
  st(hLeft, i, l);
  st(hRight, i, r);
  st(hLen, i, ld(symLen, l) + ld(symLen, r));
  store<f32>(hPrio + (<usize>i << 2), pairPrio(s));
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!before(i, p)) break;
    swap(i, p);
    i = p;
  }
}

function popTop(): void {
  hSize--;
  if (hSize == 0) return;
  swap(0, hSize);
  let i = 0;
  while (true) {
    const l = 2 * i + 1, r = l + 1;
    let m = i;
    if (l < hSize && before(l, m)) m = l;
    if (r < hSize && before(r, m)) m = r;
    if (m == i) break;
    swap(i, m);
    i = m;
  }
}

/**
 * Merges symbols 0..n-1 (set by symbolSet) and appends the surviving ids to `out` (i32), returning how
 * many were written.
 */
export function bpeMerge(n: i32, out: usize): i32 {
  for (let i = 0; i < n; i++) {
    st(symPrev, i, i - 1);
    st(symNext, i, i + 1);
  }
  hSize = 0;
  for (let i = 0; i + 1 < n; i++) tryPush(i, i + 1);
  while (hSize > 0) {
    const l = ld(hLeft, 0), r = ld(hRight, 0), len = ld(hLen, 0);
    popTop();
    const ll = ld(symLen, l), rl = ld(symLen, r);
    if (ll == 0 || rl == 0 || ld(symNext, l) != r || ll + rl != len) continue;
    const s = pairFind(ld(symId, l), ld(symId, r));
    st(symId, l, pairMerged(s));
    st(symLen, l, len);
    st(symLen, r, 0);
    const nx = ld(symNext, r);
    st(symNext, l, nx);
    if (nx < n) st(symPrev, nx, l);
    const pv = ld(symPrev, l);
    if (pv >= 0) tryPush(pv, l);
    if (nx < n) tryPush(l, nx);
  }
  let k = 0;
  for (let i = 0; i < n; i = ld(symNext, i)) st(out, k++, ld(symId, i));
  return k;
}
