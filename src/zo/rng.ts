/**
 * The seeded perturbation generator z(seed, tensorId, index): a pure function, bit-identical to
 * shaders/rng.wgsl (see docs/rng.md). Production code (kernels, masks, LoRA init) takes it from here;
 * src/ref/rng.ts re-derives it independently and the tests pin both against test/fixtures/rng_golden.json.
 *
 * Construction:
 *   1. Philox4x32-10 (Salmon et al. 2011) with key (seed, 0) and counter (index, tensorId, 0, 0) gives
 *      four u32 words. Only u32 arithmetic, so TS and WGSL agree bit for bit.
 *   2. Twelve 10-bit fields j_0..j_11 (bits 0-9, 10-19, 20-29 of each word) are summed:
 *      z = (2 * sum(j) - 12276) / 2048 = sum((j_i + 0.5) / 1024) - 6,
 *      the classic "sum of twelve uniforms minus six" (Irwin-Hall, n = 12) on a 1024-point grid.
 *      Every step is integer arithmetic plus one exact int-to-float conversion and an exact power-of-two
 *      scale, so z is exact in f32 on every backend: no cos/log/sqrt anywhere.
 *   z is symmetric, mean 0, variance 1 - 2^-20, bounded by |z| <= Z_MAX = 12276/2048 (5.994).
 */

/** Largest |z| the generator can return: 12276 / 2048. */
export const Z_MAX = 12276 / 2048;
/** z = N * Z_SCALE with N an integer in [-Z_N_MAX, Z_N_MAX]. */
export const Z_SCALE = 1 / 2048;
/** Largest |N|. */
export const Z_N_MAX = 12276;
/** Exact variance of z: 1 - 2^-20. */
export const Z_VARIANCE = 1 - 2 ** -20;

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product a*b (a, b u32), with 16-bit limbs as the WGSL does. */
export function mulhi32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * Philox4x32-10 of counter (c0..c3) under key (k0, k1), written into `out` (4 u32). Matches the
 * Random123 reference implementation (its known-answer vectors are in test/ref/rng.test.ts).
 */
export function philox4x32(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array = new Uint32Array(4)): Uint32Array {
  let x0 = c0 >>> 0, x1 = c1 >>> 0, x2 = c2 >>> 0, x3 = c3 >>> 0;
  let key0 = k0 >>> 0, key1 = k1 >>> 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi32(M0, x0), lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi32(M1, x2), lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
  return out;
}

function fields(w: number): number {
  return (w & 0x3ff) + ((w >>> 10) & 0x3ff) + ((w >>> 20) & 0x3ff);
}

const scratch = new Uint32Array(4);

/** The integer N of z = N / 2048: 2 * (sum of twelve 10-bit fields) - 12276. */
export function zInt(seed: number, tensorId: number, index: number): number {
  const w = philox4x32(index, tensorId, 0, 0, seed, 0, scratch);
  return 2 * (fields(w[0]!) + fields(w[1]!) + fields(w[2]!) + fields(w[3]!)) - Z_N_MAX;
}

/** z(seed, tensorId, index): the perturbation direction's entry; exact in f32. All arguments are u32. */
export function zValue(seed: number, tensorId: number, index: number): number {
  return zInt(seed, tensorId, index) * Z_SCALE;
}

/** z for indices [index0, index0 + n) of one tensor, as f32 (exact). */
export function zRange(seed: number, tensorId: number, index0: number, n: number, out: Float32Array = new Float32Array(n)): Float32Array {
  for (let i = 0; i < n; i++) out[i] = zValue(seed, tensorId, index0 + i);
  return out;
}
