/**
 * Conversions between the two forms of a mask over `size` = rows*cols elements:
 * - index list: ascending u32 flat indices r*cols + c;
 * - bitset: ceil(size / 32) u32 words, element i is bit (i & 31) of word i >> 5; bits at i >= size are 0.
 */

/** Words in a bitset over `size` elements: ceil(size / 32). */
export function bitsetWords(size: number): number {
  return Math.ceil(size / 32);
}

/** Set bits in a 32-bit word. */
function popcount32(w: number): number {
  w = w - ((w >>> 1) & 0x55555555);
  w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
  return (Math.imul((w + (w >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Number of set bits in `bitset`. */
export function bitsetCount(bitset: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < bitset.length; i++) n += popcount32(bitset[i]!);
  return n;
}

/**
 * The bitset over `size` elements with the bits of `indices` set (any order; duplicates are harmless).
 * Writes into `dst` (zeroed first) when given. RangeError on an index >= size or a wrongly sized dst.
 */
export function indicesToBitset(indices: Uint32Array, size: number, dst?: Uint32Array): Uint32Array {
  const words = bitsetWords(size);
  if (dst !== undefined && dst.length !== words) throw new RangeError(`indicesToBitset: dst has ${dst.length} words; expected ceil(${size} / 32) = ${words}`);
  const out = dst ?? new Uint32Array(words);
  if (dst !== undefined) out.fill(0);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j]!;
    if (i >= size) throw new RangeError(`indicesToBitset: indices[${j}] is ${i}; it must be below the size ${size}`);
    out[i >>> 5] = out[i >>> 5]! | (1 << (i & 31));
  }
  return out;
}

/**
 * The ascending index list of the set bits of a bitset over `size` elements. RangeError when the bitset
 * does not have ceil(size / 32) words or has a bit set at or beyond `size`.
 */
export function bitsetToIndices(bitset: Uint32Array, size: number): Uint32Array {
  const words = bitsetWords(size);
  if (bitset.length !== words) throw new RangeError(`bitsetToIndices: bitset has ${bitset.length} words; expected ceil(${size} / 32) = ${words}`);
  if (size % 32 !== 0 && words > 0 && (bitset[words - 1]! >>> (size % 32)) !== 0) {
    throw new RangeError(`bitsetToIndices: bitset has bits set at or beyond the size ${size} (last word 0x${bitset[words - 1]!.toString(16)})`);
  }
  const out = new Uint32Array(bitsetCount(bitset));
  let o = 0;
  for (let w = 0; w < words; w++) {
    let bits = bitset[w]! | 0;
    while (bits !== 0) {
      const low = bits & -bits;
      out[o++] = w * 32 + (31 - Math.clz32(low));
      bits ^= low;
    }
  }
  return out;
}

/**
 * Kept entries per row of a rows x cols mask given as flat indices (any order). RangeError on an index
 * >= rows*cols.
 */
export function rowCounts(indices: Uint32Array, rows: number, cols: number): Uint32Array {
  const counts = new Uint32Array(rows);
  const size = rows * cols;
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j]!;
    if (i >= size) throw new RangeError(`rowCounts: indices[${j}] is ${i}; it must be below rows*cols = ${size}`);
    const r = Math.floor(i / cols);
    counts[r] = counts[r]! + 1;
  }
  return counts;
}
