// add.wgsl: in-place residual add, x[i] += y[i] for i < n.
//
// Bindings (group 0):
//   0 uniform    p: Params { n: u32 }        element count of this chunk
//   1 read_write x: array<f32>, (n) [+slack]  residual stream, updated in place
//   2 read       y: array<f32>, (n)           branch output added to it
//
// Workgroup: (WG, 1, 1) invocations, one element each.
// Dispatch:  grid1d(n, WG) -> (gx, gy); flat index i = gid.x + gid.y * (num_workgroups.x * WG).

override WG: u32 = 256u;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= p.n) {
    return;
  }
  x[i] = x[i] + y[i];
}
