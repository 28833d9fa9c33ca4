// perturb_grid.wgsl: the exact (grid) mode of the MeZO perturbation over one arena buffer, in place.
// Every tensor's values are kept on the grid 2^g (g = gridExp of its segments) with |theta| <= 2^(g+24),
// i.e. theta = q * 2^g with q an integer that f32 holds exactly. Then:
//   mode 0 (perturb):  q += k * round(N * (eps * 2^(-11-g)))   with z = N / 2048 (rng_z_int);
//                      integer arithmetic, so +1, -2, +1 steps return every element bit-exactly.
//   mode 1 (update):   s = coef * z + decay * theta (decay only where flags & 1), rounded onto the grid
//                      stochastically: q = round(q) + floor((q - round(q)) - s * 2^-g + u), with u the
//                      24-bit uniform of Philox((index, tensorId, 2, bits(f32 coef)), (seed, 0)) word 0.
//                      E[q] moves by exactly -s * 2^-g, so updates below one grid step are not lost;
//                      u is a pure function of the recorded update, so replay is bit-exact.
//   mode 2 (quantize): theta = round(theta * 2^-g) * 2^g (ties to even), once before training.
// status[0] gets bit 0 if a perturbed |q| exceeded 2^24 (exactness lost), bit 1 if an updated or
// quantised one did, bit 2 if an element was not on its grid before a perturbation (quantise first).
// Results are bit-identical to src/ref/perturb.ts. Needs rng.wgsl and segments.wgsl prepended
// (src/kernels/with_rng.ts).
//
// Bindings (group 0):
//   0 uniform    p: Params                     seed, elems, nseg, mode, a (eps or coef), decay, k,
//                                               zero (= 0 at run time)
//   1 read_write theta: array<f32>, (elems)     the arena buffer, updated in place
//   2 read       segs: array<u32>, (nseg, 8)    segment table as in perturb.wgsl (word 5: gridExp as i32)
//   3 read_write status: array<atomic<u32>>, (4) overflow / off-grid flags, or-ed in
//
// Workgroup: (WG, 1, 1) invocations, one element each; each finds its segment by binary search
// (seg_find).
// Dispatch:  grid1d(elems, WG) -> (gx, gy); element i = gid.x + gid.y * (num_workgroups.x * WG).

override WG: u32 = 256u;
// Counter word 2 of the rounding uniform's Philox call (GRID_ROUND_STREAM of src/zo/grid.ts).
override ROUND_STREAM: u32 = 2u;

const Q_MAX: f32 = 16777216.0; // 2^24

struct Params {
  seed: u32,
  elems: u32,
  nseg: u32,
  mode: u32,
  a: f32,
  decay: f32,
  k: i32,
  zero: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> theta: array<f32>;
@group(0) @binding(2) var<storage, read> segs: array<u32>;
@group(0) @binding(3) var<storage, read_write> status: array<atomic<u32>>;

// 2^e for e in [-126, 127], built from its bits (exact).
fn pow2(e: i32) -> f32 {
  return bitcast<f32>(u32(e + 127) << 23u);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= p.elems) {
    return;
  }
  let b = seg_find(i, p.nseg);
  if (b == SEG_NONE) {
    return;
  }
  let n = rng_z_int(p.seed, segs[b], seg_index(b, i));
  let g = bitcast<i32>(segs[b + 5u]);
  let t = theta[i];
  if (p.mode == 0u) {
    let qf = t * pow2(-g);
    let q = i32(qf);
    if (f32(q) != qf) {
      atomicOr(&status[0], 4u);
    }
    let d = i32(round(f32(n) * (p.a * pow2(-11 - g))));
    let qn = q + p.k * d;
    if (abs(f32(qn)) > Q_MAX) {
      atomicOr(&status[0], 1u);
    }
    theta[i] = f32(qn) * pow2(g);
  } else if (p.mode == 1u) {
    var s = rng_opaque(p.a * (f32(n) * RNG_Z_SCALE), p.zero);
    if ((segs[b + 4u] & 1u) != 0u && p.decay != 0.0) {
      s = s + rng_opaque(p.decay * t, p.zero);
    }
    let sg = rng_opaque(s * pow2(-g), p.zero);
    let qf = rng_opaque(t * pow2(-g), p.zero);
    let qi = round(qf);
    let x = (qf - qi) - sg;
    let w = philox4x32_10(vec4<u32>(seg_index(b, i), segs[b], ROUND_STREAM, bitcast<u32>(p.a)), vec2<u32>(p.seed, 0u));
    let u = f32(w.x >> 8u) * 5.9604644775390625e-8; // 2^-24
    let qn = qi + floor(x + u);
    if (abs(qn) > Q_MAX) {
      atomicOr(&status[0], 2u);
    }
    theta[i] = qn * pow2(g);
  } else {
    let r = round(t * pow2(-g));
    if (abs(r) > Q_MAX) {
      atomicOr(&status[0], 2u);
    }
    theta[i] = r * pow2(g);
  }
}
