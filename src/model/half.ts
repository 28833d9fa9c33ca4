/**
 * Half-precision weights on the host: the storage dtypes mazo keeps on the GPU, and exact conversions.
 * f16 is IEEE binary16; bf16 is the top 16 bits of an f32. On the GPU two halves share one u32 word,
 * element 2i in the low 16 bits (little-endian order, so a Uint16Array's bytes are the GPU layout).
 * Widening to f32 is exact; narrowing rounds to nearest, ties to even (as PyTorch's .to(dtype)).
 */

/** How a weight tensor is stored on the GPU. */
export type WeightDtype = "f32" | "f16" | "bf16";
export const WEIGHT_DTYPES: readonly WeightDtype[] = ["f32", "f16", "bf16"];

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
let f16Table: Float32Array | null = null;

/** Exact f32 value of IEEE half-precision bits. */
export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Exact f32 value of bfloat16 bits. */
export function bf16ToF32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0]!;
}

/** bf16 bits of x rounded to nearest even (NaN stays a quiet NaN). */
export function f32ToBf16(x: number): number {
  f32[0] = x;
  const u = u32[0]!;
  if ((u & 0x7fffffff) > 0x7f800000) return ((u >>> 16) | 0x40) & 0xffff;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/** f16 bits of x (as f32) rounded to nearest even; beyond 65504 it overflows to infinity. */
export function f32ToF16(x: number): number {
  f32[0] = x;
  const u = u32[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: rounds to zero
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && (m & 1) === 1)) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  let h = sign | (e << 10) | m;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1) === 1)) h++; // carries into the exponent correctly
  return h;
}

/** Widens half bits to f32 (exact). */
export function halfToF32(bits: Uint16Array, dtype: "f16" | "bf16", out = new Float32Array(bits.length)): Float32Array {
  if (out.length !== bits.length) throw new RangeError(`halfToF32: out has ${out.length} elements, bits ${bits.length}`);
  if (dtype === "bf16") {
    const o = new Uint32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < bits.length; i++) o[i] = bits[i]! << 16;
  } else {
    const table = f16Table ??= Float32Array.from({ length: 65536 }, (_, i) => f16ToF32(i));
    for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  }
  return out;
}

/** Narrows f32 values to half bits, rounding to nearest even. */
export function f32ToHalf(data: Float32Array, dtype: "f16" | "bf16", out = new Uint16Array(data.length)): Uint16Array {
  if (out.length !== data.length) throw new RangeError(`f32ToHalf: out has ${out.length} elements, data ${data.length}`);
  if (dtype === "bf16") {
    const u = new Uint32Array(data.buffer, data.byteOffset, data.length);
    for (let i = 0; i < data.length; i++) {
      const x = u[i]!;
      out[i] = (x & 0x7fffffff) > 0x7f800000 ? ((x >>> 16) | 0x40) & 0xffff : ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
    }
  } else {
    for (let i = 0; i < data.length; i++) out[i] = f32ToF16(data[i]!);
  }
  return out;
}

/** Bytes per element of a storage dtype. */
export function dtypeBytes(d: WeightDtype): number {
  return d === "f32" ? 4 : 2;
}

/** Parses a --dtype value: f32, f16, bf16 or auto (null: as stored). */
export function parseDtypeOption(v: string): WeightDtype | null {
  if (v === "auto") return null;
  if ((WEIGHT_DTYPES as readonly string[]).includes(v)) return v as WeightDtype;
  throw new RangeError(`--dtype must be one of f32, f16, bf16, auto; got ${JSON.stringify(v)}`);
}
