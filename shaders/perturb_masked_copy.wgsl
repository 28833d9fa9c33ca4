// perturb_masked_copy.wgsl: saves the masked entries of an arena buffer before a MaZO step and restores
// them afterwards, exactly (plain copies):
//   mode 0 (save):    saved[j] = theta[pos[j]]
//   mode 1 (restore): theta[pos[j]] = saved[j]
// The words are moved as u32, so no backend can flush a subnormal or canonicalise a NaN on the way.
//
// Bindings (group 0):
//   0 uniform    p: Params                  count (k), mode
//   1 read_write theta: array<u32>, (elems)  the arena buffer (f32 bits)
//   2 read_write saved: array<u32>, (k)      one f32 (bits) per listed position
//   3 read       pos: array<u32>, (k)        distinct arena positions
//
// Workgroup: (WG, 1, 1) invocations, one listed position each.
// Dispatch:  grid1d(k, WG) -> (gx, gy); entry j = gid.x + gid.y * (num_workgroups.x * WG).

override WG: u32 = 256u;

struct Params {
  count: u32,
  mode: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> theta: array<u32>;
@group(0) @binding(2) var<storage, read_write> saved: array<u32>;
@group(0) @binding(3) var<storage, read> pos: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let j = gid.x + gid.y * (nwg.x * WG);
  if (j >= p.count) {
    return;
  }
  if (p.mode == 0u) {
    saved[j] = theta[pos[j]];
  } else {
    theta[pos[j]] = saved[j];
  }
}
