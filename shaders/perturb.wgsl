// perturb.wgsl: the MeZO perturbation and update over one parameter arena buffer, in place:
//   theta[i] = (theta[i] - coef * z) - decay * theta[i]       (the decay term only where flags & 1)
//   with z = rng_z(seed, tensorId, firstIndex + i - startElem) of the segment holding element i.
// A perturbation by +eps*z is coef = -eps, decay = 0 (theta - (-eps*z) rounds exactly like theta + eps*z).
// Each product goes through rng_opaque, so every float op is rounded once, as in src/ref/perturb.ts:
// results are bit-identical to the reference. Elements covered by no segment (padding) are untouched.
// Needs rng.wgsl and segments.wgsl prepended (src/kernels/with_rng.ts).
//
// Bindings (group 0):
//   0 uniform    p: Params                     seed, elems, nseg, coef, decay, zero (= 0 at run time)
//   1 read_write theta: array<f32>, (elems)     the arena buffer, updated in place
//   2 read       segs: array<u32>, (nseg, 8)    segment table sorted by startElem: tensorId, startElem,
//                                               count, firstIndex, flags (bit 0: weight decay), gridExp, 0, 0
//
// Workgroup: (WG, 1, 1) invocations, one element each; each finds its segment by binary search
// (seg_find).
// Dispatch:  grid1d(elems, WG) -> (gx, gy); element i = gid.x + gid.y * (num_workgroups.x * WG).

override WG: u32 = 256u;

struct Params {
  seed: u32,
  elems: u32,
  nseg: u32,
  coef: f32,
  decay: f32,
  zero: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> theta: array<f32>;
@group(0) @binding(2) var<storage, read> segs: array<u32>;

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
  let z = rng_z(p.seed, segs[b], seg_index(b, i));
  theta[i] = seg_step(theta[i], z, p.coef, p.decay, (segs[b + 4u] & 1u) != 0u, p.zero);
}
