// bias_add.wgsl: broadcast bias over rows, y[t, j] += b[j] for t < rows, j < cols.
//
// Bindings (group 0):
//   0 uniform    p: Params { rows: u32, cols: u32 }
//   1 read_write y: array<f32>, (rows, cols) [+slack]  updated in place
//   2 read       b: array<f32>, (cols)
//
// Workgroup: (WG, 1, 1) invocations, one element each.
// Dispatch:  grid1d(rows*cols, WG) -> (gx, gy); flat index i = gid.x + gid.y * (num_workgroups.x * WG).

override WG: u32 = 256u;

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= p.rows * p.cols) {
    return;
  }
  y[i] = y[i] + b[i % p.cols];
}
