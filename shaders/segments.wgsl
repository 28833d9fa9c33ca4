// segments.wgsl: shared functions (no entry point) over the packed segment table of the perturbation
// kernels, and their update step. Not a kernel: src/kernels/with_rng.ts prepends this file (after
// rng.wgsl) to the kernels that ask for it. Bit-identical to src/ref/perturb.ts.
//
// Contract: a kernel joining this file declares the binding
//   segs: array<u32>, (nseg, 8)   sorted by startElem: tensorId, startElem, count, firstIndex,
//                                 flags (bit 0: weight decay), gridExp (i32), 0, 0
// which seg_find and seg_index read.
//
//   seg_find(i, nseg) -> u32: word offset (row * 8) in segs of the segment holding arena element i (the
//     last row with startElem <= i, found by binary search), or SEG_NONE when i is in no segment.
//   seg_index(b, i) -> u32: the index within its tensor of element i of the segment at offset b, where
//     z is drawn: firstIndex + i - startElem.
//   seg_step(t, z, coef, decay, decays, zero) -> f32: (t - coef * z) - decay * t, the decay term only
//     when `decays`; each product goes through rng_opaque (rng.wgsl), so every float op is rounded once.

const SEG_NONE: u32 = 0xFFFFFFFFu;

fn seg_find(i: u32, nseg: u32) -> u32 {
  var lo = 0u;
  var hi = nseg;
  while (hi - lo > 1u) {
    let mid = (lo + hi) / 2u;
    if (segs[mid * 8u + 1u] <= i) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  let b = lo * 8u;
  let start = segs[b + 1u];
  if (i < start || i - start >= segs[b + 2u]) {
    return SEG_NONE;
  }
  return b;
}

fn seg_index(b: u32, i: u32) -> u32 {
  return segs[b + 3u] + (i - segs[b + 1u]);
}

fn seg_step(t: f32, z: f32, coef: f32, decay: f32, decays: bool, zero: u32) -> f32 {
  var v = t - rng_opaque(coef * z, zero);
  if (decays && decay != 0.0) {
    v = v - rng_opaque(decay * t, zero);
  }
  return v;
}
