/**
 * Plain reference of the seeded perturbation generator z(seed, tensorId, index) (production:
 * src/zo/rng.ts and shaders/rng.wgsl; construction in docs/rng.md), re-derived here with its own code so
 * that tests comparing production with it can catch a wrong constant or a wrong multiply:
 *   - Philox4x32-10 (Random123's philox4x32_R with R = 10): the 32x32 -> 64-bit products are formed in
 *     float64 from a 16-bit split of one factor (every partial product is below 2^53, so exact), not
 *     with the production's four 16-bit limbs;
 *   - z = N / 2048 with N = 2 * (sum of the twelve 10-bit fields of the four words) - 12 * 1023,
 *     fields read by division instead of shifts.
 * Both are pinned against test/fixtures/rng_golden.json (written by an independent Python script).
 */

const TWO16 = 65536;
const TWO32 = 4294967296;

/** Philox's round multipliers and Weyl key increments (Random123, philox.h). */
const PHILOX_M = [0xd2511f53, 0xcd9e8d57] as const;
const PHILOX_W = [0x9e3779b9, 0xbb67ae85] as const;

/** Number of 10-bit fields summed, and the largest field. */
const FIELDS = 12;
const FIELD_MAX = 1023;

/** Largest |N|: 12 * 1023. */
export const Z_N_MAX = FIELDS * FIELD_MAX;
/** z = N * Z_SCALE. */
export const Z_SCALE = 1 / 2048;
/** Largest |z|. */
export const Z_MAX = Z_N_MAX * Z_SCALE;
/**
 * Exact variance of z: each field is uniform on {0..1023} with variance (1024^2 - 1) / 12, so
 * Var N = 4 * 12 * (1024^2 - 1) / 12 and Var z = (1024^2 - 1) / 1024^2.
 */
export const Z_VARIANCE = (1024 * 1024 - 1) / (1024 * 1024);

/** Low word of the last mulWide product (mulWide returns the high word). */
let wideLo = 0;

/** The exact 64-bit product of two u32, in float64: returns its high word and leaves the low one in wideLo. */
function mulWide(a: number, b: number): number {
  const bHi = Math.floor(b / TWO16), bLo = b - bHi * TWO16;
  const p0 = a * bLo, p1 = a * bHi; // each < 2^48: exact
  const p1Hi = Math.floor(p1 / TWO16);
  const low = (p1 - p1Hi * TWO16) * TWO16 + p0; // < 2^49: exact
  const carry = Math.floor(low / TWO32);
  wideLo = low - carry * TWO32;
  return p1Hi + carry;
}

/** High 32 bits of the 64-bit product a*b (a, b u32). */
export function mulhi32(a: number, b: number): number {
  return mulWide(a >>> 0, b >>> 0);
}

/** Philox4x32-10 of counter (c0..c3) under key (k0, k1): four u32. */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): number[] {
  let x0 = c0 >>> 0, x1 = c1 >>> 0, x2 = c2 >>> 0, x3 = c3 >>> 0;
  let key0 = k0 >>> 0, key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulWide(PHILOX_M[0], x0), lo0 = wideLo;
    const hi1 = mulWide(PHILOX_M[1], x2), lo1 = wideLo;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + PHILOX_W[0]) >>> 0;
    key1 = (key1 + PHILOX_W[1]) >>> 0;
  }
  return [x0, x1, x2, x3];
}

/** The integer N of z = N / 2048. */
export function zInt(seed: number, tensorId: number, index: number): number {
  const words = philox4x32(index, tensorId, 0, 0, seed, 0);
  let sum = 0;
  for (const w of words) sum += (w & 1023) + (Math.floor(w / 1024) & 1023) + (Math.floor(w / 1048576) & 1023);
  return 2 * sum - Z_N_MAX;
}

/** z(seed, tensorId, index). */
export function zValue(seed: number, tensorId: number, index: number): number {
  return zInt(seed, tensorId, index) * Z_SCALE;
}

/** z for indices [index0, index0 + n) of one tensor. */
export function zRange(seed: number, tensorId: number, index0: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = zValue(seed, tensorId, index0 + i);
  return out;
}

/** The u32 bits of x rounded to f32. */
export function f32Bits(x: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  return view.getUint32(0);
}

/**
 * The uniform u in [0, 1) (24 bits) that rounds an exact-mode update stochastically: the top 24 bits
 * of word 0 of Philox4x32-10 with counter (index, tensorId, 2, bits of f32 coef) and key (seed, 0).
 */
export function roundUniform(seed: number, tensorId: number, index: number, coef: number): number {
  const w = philox4x32(index, tensorId, 2, f32Bits(coef), seed, 0)[0]!;
  return Math.floor(w / 256) / 16777216;
}

/**
 * Irwin-Hall CDF P(U_1 + ... + U_n <= x) of n independent U(0, 1) (float64). The generator is the
 * n = 12 case on a 1024-point grid; tests compare tail fractions against this.
 */
export function irwinHallCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= n) return 1;
  let fact = 1;
  for (let i = 2; i <= n; i++) fact *= i;
  let s = 0, binom = 1;
  for (let k = 0; k <= Math.floor(x); k++) {
    s += (k % 2 === 0 ? 1 : -1) * binom * (x - k) ** n;
    binom = (binom * (n - k)) / (k + 1);
  }
  return s / fact;
}

/** P(|z| > t) for the continuous Irwin-Hall(12) - 6 law that z discretises. */
export function zTail(t: number): number {
  return 2 * (1 - irwinHallCdf(12, 6 + t));
}
