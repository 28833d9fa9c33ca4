/**
 * Reference half-precision conversions, written independently of src/model/half.ts from the formats'
 * definitions (float64 arithmetic on sign, exponent and mantissa).
 *   f16: 1 sign, 5 exponent (bias 15), 10 mantissa bits; bf16: 1 sign, 8 exponent (bias 127), 7 mantissa.
 */

/** Value of half bits of the given format. */
export function halfValueRef(bits: number, format: "f16" | "bf16"): number {
  const eBits = format === "f16" ? 5 : 8, mBits = format === "f16" ? 10 : 7;
  const bias = (1 << (eBits - 1)) - 1;
  const sign = (bits >> 15) & 1 ? -1 : 1;
  const e = (bits >> mBits) & ((1 << eBits) - 1);
  const m = bits & ((1 << mBits) - 1);
  if (e === (1 << eBits) - 1) return m === 0 ? sign * Infinity : NaN;
  if (e === 0) return sign * m * 2 ** (1 - bias - mBits);
  return sign * (1 + m / 2 ** mBits) * 2 ** (e - bias);
}

/** Nearest representable value of the format to x (ties to the even mantissa), by search over bits. */
export function roundToHalfRef(x: number, format: "f16" | "bf16"): number {
  if (Number.isNaN(x)) return NaN;
  // Binary search over the positive bit patterns, which are ordered like their values.
  const maxFinite = format === "f16" ? 0x7bff : 0x7f7f;
  const a = Math.abs(x);
  let lo = 0, hi = maxFinite;
  if (a >= halfValueRef(maxFinite, format)) {
    const top = halfValueRef(maxFinite, format), ulp = top - halfValueRef(maxFinite - 1, format);
    return Math.sign(x) * (a >= top + ulp / 2 ? Infinity : top);
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (halfValueRef(mid, format) <= a) lo = mid;
    else hi = mid;
  }
  const vl = halfValueRef(lo, format), vh = halfValueRef(hi, format);
  const pick = a - vl < vh - a ? lo : a - vl > vh - a ? hi : (lo & 1) === 0 ? lo : hi;
  return (x < 0 ? -1 : 1) * halfValueRef(pick, format);
}
