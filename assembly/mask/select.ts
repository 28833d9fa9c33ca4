// Per-row top-k selection over f32 scores by radix select on order-preserving u32 keys.
//
// Legend: R = rows in the block, C = columns (row length), K = entries kept per row.
// Memory layout (byte pointers into linear memory, laid out by the host, src/mask/engine.ts):
//   scores (R, C) f32   read
//   keys   (C)    u32  scratch: the row's keys
//   cand   (C)    u32  scratch: keys that share the threshold's radix prefix
//   hist   (2048) u32  scratch: radix histogram
//   out    (R, K) u32  written: flat indices base + r*C + c, ascending
//
// Order: larger score first; equal scores (and -0 == +0) by lower column first. +-Infinity are
// ordinary keys (largest/smallest); NaN is an error reported to the host.

/** Order-preserving key of an f32 bit pattern: a > b as floats <=> key(a) > key(b) as u32; -0 maps to +0. */
// @ts-ignore: decorator
@inline function keyOf(bits: u32): u32 {
  if ((bits << 1) == 0) return 0x80000000;
  return (bits >> 31) != 0 ? ~bits : bits | 0x80000000;
}

/** True when the f32 bit pattern is a NaN. */
// @ts-ignore: decorator
@inline function isNaNBits(bits: u32): bool {
  return (bits & 0x7fffffff) > 0x7f800000;
}

/**
 * Finds the histogram bin (scanning from the top bin down) that holds the need-th largest key.
 * Writes the count of keys in higher bins to `above` (hist[bin] is left in place for the caller).
 */
// @ts-ignore: decorator
@inline function topBin(hist: usize, bins: u32, need: u32, above: usize): u32 {
  let greater: u32 = 0;
  let b = bins - 1;
  while (true) {
    const h = load<u32>(hist + (<usize>b << 2));
    if (greater + h >= need) break;
    greater += h;
    b--;
  }
  store<u32>(above, greater);
  return b;
}

/**
 * Selects the top `k` of one row of `cols` scores at `row`, writing `k` ascending flat indices
 * (base + column) to `out`. Returns -1, or the column of the first NaN in the row.
 * `above` is a 4-byte scratch word.
 */
function selectRow(row: usize, cols: u32, k: u32, keys: usize, cand: usize, hist: usize, above: usize, out: usize, base: u32): i32 {
  // Pass 1: keys, NaN check, histogram of the top 11 key bits.
  memory.fill(hist, 0, 2048 << 2);
  for (let c: u32 = 0; c < cols; c++) {
    const bits = load<u32>(row + (<usize>c << 2));
    if (isNaNBits(bits)) return <i32>c;
    const key = keyOf(bits);
    store<u32>(keys + (<usize>c << 2), key);
    const h = hist + (<usize>(key >> 21) << 2);
    store<u32>(h, load<u32>(h) + 1);
  }
  if (k == 0) return -1;
  if (k == cols) {
    for (let c: u32 = 0; c < cols; c++) store<u32>(out + (<usize>c << 2), base + c);
    return -1;
  }
  // Threshold prefix: keys whose top (32 - shift) bits exceed `prefix` are all kept; of those equal to
  // it, `need` are kept (the lowest columns, once the prefix is the whole key).
  let need = k;
  let b = topBin(hist, 2048, need, above);
  need -= load<u32>(above);
  let prefix: u32 = b;
  let shift: u32 = 21;
  let n = load<u32>(hist + (<usize>b << 2));
  if (n != need) {
    // Gather the candidates of the chosen bin, then refine on the next 11 bits, then the last 10.
    let m: u32 = 0;
    for (let c: u32 = 0; c < cols; c++) {
      const key = load<u32>(keys + (<usize>c << 2));
      if ((key >> 21) == prefix) {
        store<u32>(cand + (<usize>m << 2), key);
        m++;
      }
    }
    for (let level = 0; level < 2; level++) {
      const bitsHere: u32 = level == 0 ? 11 : 10;
      const nextShift = shift - bitsHere;
      const bins: u32 = 1 << bitsHere;
      const binMask = bins - 1;
      memory.fill(hist, 0, <usize>bins << 2);
      for (let i: u32 = 0; i < n; i++) {
        const key = load<u32>(cand + (<usize>i << 2));
        const h = hist + (<usize>((key >> nextShift) & binMask) << 2);
        store<u32>(h, load<u32>(h) + 1);
      }
      b = topBin(hist, bins, need, above);
      need -= load<u32>(above);
      prefix = (prefix << bitsHere) | b;
      shift = nextShift;
      const nb = load<u32>(hist + (<usize>b << 2));
      if (nb == need || shift == 0) break;
      // Compact the candidates in place (write index <= read index).
      m = 0;
      for (let i: u32 = 0; i < n; i++) {
        const key = load<u32>(cand + (<usize>i << 2));
        if (((key >> nextShift) & binMask) == b) {
          store<u32>(cand + (<usize>m << 2), key);
          m++;
        }
      }
      n = nb;
    }
  }
  // Emit in column order: every key above the prefix, and the first `need` keys equal to it.
  let o = out;
  for (let c: u32 = 0; c < cols; c++) {
    const p = load<u32>(keys + (<usize>c << 2)) >> shift;
    if (p > prefix || (p == prefix && need > 0)) {
      if (p == prefix) need--;
      store<u32>(o, base + c);
      o += 4;
    }
  }
  return -1;
}

/**
 * Top-k of each of `rows` rows of `cols` f32 scores at `scores`, writing rows*k flat indices
 * (base + r*cols + c, ascending) to `out`. Returns -1, or the element offset r*cols + c of the first NaN
 * in row-major order (nothing after that row is written).
 */
export function topkRows(scores: usize, rows: u32, cols: u32, k: u32, keys: usize, cand: usize, hist: usize, scratch: usize, out: usize, base: u32): i32 {
  for (let r: u32 = 0; r < rows; r++) {
    const off = r * cols;
    const bad = selectRow(scores + (<usize>off << 2), cols, k, keys, cand, hist, scratch, out + (<usize>(r * k) << 2), base + off);
    if (bad >= 0) return <i32>off + bad;
  }
  return -1;
}
