// rng.wgsl: shared functions (no entry point) for the seeded perturbation z(seed, tensorId, index).
// Not a kernel: src/kernels/with_rng.ts prepends this file to the kernels that call it. Bit-identical
// to src/ref/rng.ts; construction and measurements in docs/rng.md.
//
//   philox4x32_10(ctr, key): Philox4x32-10 (Random123), u32 arithmetic only.
//   rng_z_int(seed, tensor_id, index) -> i32 N in [-12276, 12276]:
//     w = philox4x32_10((index, tensor_id, 0, 0), (seed, 0));
//     N = 2 * (sum of the twelve 10-bit fields at bits 0, 10, 20 of w.x, w.y, w.z, w.w) - 12276.
//   rng_z(seed, tensor_id, index) -> f32 z = N / 2048 (exact): Irwin-Hall(12) - 6 on a 1024-point grid,
//     mean 0, variance 1 - 2^-20, |z| <= 5.994.
//   rng_opaque(x, zero): x with its bits xor-ed by a uniform known to be 0 at run time. Compilers cannot
//     see through it, so a product passed through it is never fused into an FMA with a later add; every
//     float operation of the perturbation kernels is then rounded once, exactly as the TS reference does.

const RNG_M0: u32 = 0xD2511F53u;
const RNG_M1: u32 = 0xCD9E8D57u;
const RNG_W0: u32 = 0x9E3779B9u;
const RNG_W1: u32 = 0xBB67AE85u;
const RNG_N_MAX: i32 = 12276;
const RNG_Z_SCALE: f32 = 0.00048828125; // 1 / 2048

// High 32 bits of the 64-bit product a * b, from 16-bit limbs.
fn rng_mulhi(a: u32, b: u32) -> u32 {
  let a0 = a & 0xFFFFu;
  let a1 = a >> 16u;
  let b0 = b & 0xFFFFu;
  let b1 = b >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xFFFFu) + (p10 & 0xFFFFu);
  return p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
}

fn philox4x32_10(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var x = ctr;
  var k = key;
  for (var r = 0u; r < 10u; r = r + 1u) {
    let hi0 = rng_mulhi(RNG_M0, x.x);
    let lo0 = RNG_M0 * x.x;
    let hi1 = rng_mulhi(RNG_M1, x.z);
    let lo1 = RNG_M1 * x.z;
    x = vec4<u32>(hi1 ^ x.y ^ k.x, lo1, hi0 ^ x.w ^ k.y, lo0);
    k = k + vec2<u32>(RNG_W0, RNG_W1);
  }
  return x;
}

fn rng_fields(w: u32) -> u32 {
  return (w & 0x3FFu) + ((w >> 10u) & 0x3FFu) + ((w >> 20u) & 0x3FFu);
}

fn rng_z_int(seed: u32, tensor_id: u32, index: u32) -> i32 {
  let w = philox4x32_10(vec4<u32>(index, tensor_id, 0u, 0u), vec2<u32>(seed, 0u));
  let s = rng_fields(w.x) + rng_fields(w.y) + rng_fields(w.z) + rng_fields(w.w);
  return 2 * i32(s) - RNG_N_MAX;
}

fn rng_z(seed: u32, tensor_id: u32, index: u32) -> f32 {
  return f32(rng_z_int(seed, tensor_id, index)) * RNG_Z_SCALE;
}

fn rng_opaque(x: f32, zero: u32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) ^ zero);
}
