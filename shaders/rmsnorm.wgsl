// rmsnorm.wgsl: RMSNorm with weight (llama2.c rmsnorm, Hugging Face LlamaRMSNorm), one row per workgroup:
//   y[t, i] = x[t, i] / sqrt(mean_i(x[t, :]^2) + eps) * weight[i]
//
// Bindings (group 0):
//   0 uniform    p: Params { rows: u32, d: u32, eps: f32 }   rows of this chunk, row width D, epsilon
//   1 read       x: array<f32>, (rows, D)                     input rows (one chunk of x)
//   2 read       w: array<f32>, (D)                           weight
//   3 read_write y: array<f32>, (rows, D) [+slack]            output rows (the matching chunk of y)
//
// Workgroup: (WG, 1, 1), WG a power of two <= 256. Each invocation sums the squares of elements
//            i = lid, lid + WG, ... of its row in f32; a shared-memory tree reduction gives the row's
//            sum, then every invocation scales its elements.
// Dispatch:  grid1d(rows, 1) -> (gx, gy); row t = wid.x + wid.y * num_workgroups.x.

override WG: u32 = 256u;

struct Params {
  rows: u32,
  d: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

// Sized for the largest WG (256); only the first WG entries are used.
var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  // Uniform control flow: every invocation of a workgroup has the same t, so the barriers below are
  // reached by all or none.
  let t = wid.x + wid.y * nwg.x;
  if (t >= p.rows) {
    return;
  }
  let base = t * p.d;
  var ss = 0.0;
  for (var i = lid; i < p.d; i += WG) {
    let v = x[base + i];
    ss += v * v;
  }
  partial[lid] = ss;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      partial[lid] += partial[lid + stride];
    }
    workgroupBarrier();
  }
  let scale = 1.0 / sqrt(partial[0] / f32(p.d) + p.eps);
  for (var i = lid; i < p.d; i += WG) {
    y[base + i] = x[base + i] * scale * w[i];
  }
}
