// perturb_masked.wgsl: the MeZO perturbation and update restricted to a mask, in place:
//   for each listed arena position i = pos[j]:
//     theta[i] = (theta[i] - coef * z) - decay * theta[i]    (the decay term only where flags & 1)
//   with z = rng_z(seed, tensorId, firstIndex + i - startElem), the same z the unmasked kernel
//   (perturb.wgsl) uses for that element, so a full mask reproduces it bit for bit. Cost grows with the
//   number of listed positions k, not with the arena. Unlisted elements are never touched.
// Needs rng.wgsl and segments.wgsl prepended (src/kernels/with_rng.ts).
//
// Bindings (group 0):
//   0 uniform    p: Params                     seed, count (k), nseg, coef, decay, zero (= 0 at run time)
//   1 read_write theta: array<f32>, (elems)     the arena buffer, updated in place
//   2 read       segs: array<u32>, (nseg, 8)    segment table as in perturb.wgsl
//   3 read       pos: array<u32>, (k)           distinct arena positions, each inside a segment
//
// Workgroup: (WG, 1, 1) invocations, one listed position each; each finds its segment by binary
// search (seg_find).
// Dispatch:  grid1d(k, WG) -> (gx, gy); entry j = gid.x + gid.y * (num_workgroups.x * WG).

override WG: u32 = 256u;

struct Params {
  seed: u32,
  count: u32,
  nseg: u32,
  coef: f32,
  decay: f32,
  zero: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> theta: array<f32>;
@group(0) @binding(2) var<storage, read> segs: array<u32>;
@group(0) @binding(3) var<storage, read> pos: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = gid.x + gid.y * (nwg.x * WG);
  if (j >= p.count) {
    return;
  }
  let i = pos[j];
  let b = seg_find(i, p.nseg);
  if (b == SEG_NONE) {
    return;
  }
  let z = rng_z(p.seed, segs[b], seg_index(b, i));
  theta[i] = seg_step(theta[i], z, p.coef, p.decay, (segs[b + 4u] & 1u) != 0u, p.zero);
}
