// swiglu.wgsl: SwiGLU gate, in place: a[i] = silu(a[i]) * b[i], silu(v) = v / (1 + exp(-v)), for i < n.
// The sigmoid is evaluated as 1 / (1 + e) for v >= 0 and e / (1 + e) for v < 0 with e = exp(-|v|), so
// exp never overflows (WGSL does not guarantee infinities) and large |v| gives v or -0 cleanly.
//
// Bindings (group 0):
//   0 uniform    p: Params { n: u32 }          element count of this chunk
//   1 read_write a: array<f32>, (n) [+slack]    gate pre-activation, replaced by silu(a) * b
//   2 read       b: array<f32>, (n)             up projection
//
// Workgroup: (WG, 1, 1), one element each.
// Dispatch:  grid1d(n, WG) -> (gx, gy); flat index i = gid.x + gid.y * (num_workgroups.x * WG).

override WG: u32 = 256u;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * (nwg.x * WG);
  if (i >= p.n) {
    return;
  }
  let v = a[i];
  let e = exp(-abs(v));
  let sigmoid = select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
  a[i] = v * sigmoid * b[i];
}
